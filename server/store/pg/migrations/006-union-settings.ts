/**
 * Each union's own settings (core/domain.ts unionSettingsSchema): today the thresholds of its anomaly
 * flags, set on the union page and read by everyone who sees it. One row a union; absent means defaults.
 * The union is checked when saving (pg-admin.ts saveUnionSettings); unions are never deleted.
 */
export default `
CREATE TABLE union_settings (
  org_id text PRIMARY KEY,
  doc jsonb NOT NULL
);
`;
