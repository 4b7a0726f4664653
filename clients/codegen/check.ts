// Compiles only if the generated types say what a client expects: Date is a
// string, connections have totalCount, paths have strength.
import type { EntityPageQuery, StrongestPathsQuery, AllegedPerYearQuery } from "./generated/operations";

export function firstStart(q: EntityPageQuery): string | null | undefined {
  const start: string | null | undefined = q.entity?.start;
  return start;
}

export function strongest(q: StrongestPathsQuery): number {
  return q.paths?.[0]?.strength ?? 0;
}

export function total(q: EntityPageQuery): number {
  return q.entity?.relationshipsConnection.totalCount ?? 0;
}

export function years(q: AllegedPerYearQuery): Array<string | null | undefined> {
  return q.relationshipCounts.map((c) => c.key);
}
