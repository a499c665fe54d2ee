/** Where the campaigns are: AIRCOVER_CAMPAIGNS_DIR, else `campaigns`. */
export function campaignsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AIRCOVER_CAMPAIGNS_DIR ?? 'campaigns';
}
