/** The columns of partners.csv that mean something to aircover (partners.ts parses the file). */
export const standardColumns = [
  'id',
  'company',
  'first_name',
  'last_name',
  'role',
  'email',
  'time_zone',
  'tags',
  'owner',
  'referrer_name',
  'referrer_email',
  'referrer_relationship',
] as const;
export const requiredColumns = ['id', 'company', 'first_name', 'email'] as const;
export const gatekeeperColumn = /^gatekeeper_([1-9])_(name|role|email)$/;
