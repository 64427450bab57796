/** References to entities other subgraphs own: only the key. */
export interface EntityRef {
  id: string;
}

export type UserRef = EntityRef;
