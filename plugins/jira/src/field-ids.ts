/**
 * Site-specific custom field ids: the Rank field (LexoRank) and the story points field. Taken from
 * tenant config when set, otherwise discovered by name through GET /rest/api/3/field, once per client.
 */
import type { JiraHttp } from './jira-http.js';

export interface FieldIds {
  rank: string | null;
  storyPoints: string | null;
}

interface FieldDetails {
  id?: unknown;
  name?: unknown;
  schema?: { custom?: unknown } | null;
}

export const RANK_FIELD_NAME = 'Rank';
export const RANK_FIELD_SCHEMA = 'com.pyxis.greenhopper.jira:gh-lexo-rank';
/** Team-managed projects call it "Story point estimate", company-managed ones "Story Points". */
export const STORY_POINTS_FIELD_NAMES = ['Story point estimate', 'Story Points'] as const;

export function pickFieldIds(fields: FieldDetails[]): FieldIds {
  const idOf = (f: FieldDetails | undefined): string | null => (f && typeof f.id === 'string' ? f.id : null);
  const rank =
    idOf(fields.find((f) => f.name === RANK_FIELD_NAME && f.schema?.custom === RANK_FIELD_SCHEMA)) ??
    idOf(fields.find((f) => f.name === RANK_FIELD_NAME));
  let storyPoints: string | null = null;
  for (const name of STORY_POINTS_FIELD_NAMES) {
    storyPoints ??= idOf(fields.find((f) => f.name === name));
  }
  return { rank, storyPoints };
}

/** A cached resolver: config wins; discovery runs at most once per success (a failure is retried next time). */
export function fieldIdResolver(
  http: JiraHttp,
  configured: { rankField?: string | undefined; storyPointsField?: string | undefined },
): () => Promise<FieldIds> {
  if (configured.rankField && configured.storyPointsField) {
    const ids = { rank: configured.rankField, storyPoints: configured.storyPointsField };
    return () => Promise.resolve(ids);
  }
  let pending: Promise<FieldIds> | null = null;
  return () => {
    pending ??= http
      .request<FieldDetails[]>('GET', '/rest/api/3/field')
      .then(({ body }) => {
        const found = pickFieldIds(Array.isArray(body) ? body : []);
        return { rank: configured.rankField ?? found.rank, storyPoints: configured.storyPointsField ?? found.storyPoints };
      })
      .catch((err: unknown) => {
        pending = null;
        throw err;
      });
    return pending;
  };
}
