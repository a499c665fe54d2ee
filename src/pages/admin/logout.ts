import type { APIRoute } from 'astro';
import { logout } from '../../lib/followup/admin.ts';

export const prerender = false;

export const POST: APIRoute = async ({ cookies, locals, redirect }) => {
  await logout(cookies, locals.client?.https ?? false);
  return redirect('/admin/login', 303);
};
