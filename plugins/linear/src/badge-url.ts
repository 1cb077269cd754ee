/** Where badge attachment URLs point by default (see LinearPluginOptions.badgeUrlBase). */
export const DEFAULT_BADGE_URL_BASE = 'https://pool-guard.invalid/linear';
