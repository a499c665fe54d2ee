import type { APIRoute } from 'astro';
import { logout } from '../../lib/followup/admin.ts';

export const prerender = false;

export const POST: APIRoute = ({ cookies, url, redirect }) => {
  logout(cookies, url);
  return redirect('/admin/login', 303);
};
