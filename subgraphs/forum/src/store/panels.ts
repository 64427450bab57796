import { EntitySchema, type DataSource, type Repository } from 'typeorm';
import { isUniqueViolation } from '@agora/kit/db/datasource';
import { conflict } from '@agora/kit/errors';
import { isUuid } from '@agora/kit/ids';
import type { Outbox } from '@agora/kit/outbox';
import { toConnection, type Connection } from '@agora/kit/pagination';
import { keysetCursor } from '@agora/kit/parent-pages';
import type { NewPanel } from '../domain/panel';
import { panelCreated, TOPICS } from '../events/topics';
import type { RecordCache } from './cache';

/** A panel as stored; resolvers map it to the GraphQL Panel (codegen mapper). */
export interface PanelRecord {
  id: string;
  slug: string;
  name: string;
  description: string;
  createdAt: Date;
  /** Null only for panels made before panels required a signed-in creator. */
  createdBy: string | null;
  /** Live (not deleted) posts, kept in the same transaction as every post write. */
  postCount: number;
}

export const PanelEntity = new EntitySchema<PanelRecord>({
  name: 'Panel',
  tableName: 'panels',
  columns: {
    id: { type: 'uuid', primary: true, default: () => 'gen_random_uuid()' },
    slug: { type: 'text' },
    name: { type: 'text' },
    description: { type: 'text' },
    createdAt: { type: 'timestamptz', name: 'created_at', default: () => "date_trunc('milliseconds', now())" },
    createdBy: { type: 'uuid', name: 'created_by', nullable: true },
    postCount: { type: 'integer', name: 'post_count', default: 0 },
  },
});

export const revivePanel = (json: PanelRecord): PanelRecord => ({ ...json, createdAt: new Date(json.createdAt) });

export class PanelStore {
  private readonly repo: Repository<PanelRecord>;

  constructor(
    db: DataSource,
    private readonly outbox: Outbox,
    private readonly cache: RecordCache<PanelRecord>,
  ) {
    this.repo = db.getRepository(PanelEntity);
  }

  /** Inserts the panel and its panel.created event in one transaction. */
  async create(panel: NewPanel, creatorId: string): Promise<PanelRecord> {
    try {
      return await this.outbox.transaction(async (tx, emit) => {
        const rows = await tx
          .createQueryBuilder()
          .insert()
          .into(PanelEntity)
          .values({ ...panel, createdBy: creatorId })
          .returning(['id', 'slug', 'name', 'description', 'createdAt', 'createdBy', 'postCount'])
          .execute();
        const created = this.repo.create(rows.generatedMaps[0] as PanelRecord);
        emit(TOPICS.panels, panelCreated(created, creatorId));
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'panels_slug_unique')) {
        throw conflict(`A panel named like "${panel.name}" already exists`, 'name');
      }
      throw error;
    }
  }

  /** By id, through the cache (post writes `forget` a panel, as they change its postCount). */
  async byIds(ids: readonly string[]): Promise<PanelRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.cache.byIds(valid, (missing) =>
      this.repo.createQueryBuilder('p').where('p.id IN (:...ids)', { ids: missing }).getMany(),
    );
  }

  async bySlugs(slugs: readonly string[]): Promise<PanelRecord[]> {
    if (slugs.length === 0) return [];
    return this.repo.createQueryBuilder('p').where('p.slug IN (:...slugs)', { slugs }).getMany();
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async page(size: number, after?: string | null): Promise<Connection<PanelRecord>> {
    const cursor = keysetCursor(after);
    const query = this.repo
      .createQueryBuilder('p')
      .orderBy('p.createdAt', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(size + 1);
    if (cursor) {
      query.where('(p.createdAt, p.id) < (:at, :id)', { at: cursor.at, id: cursor.id });
    }
    const rows = await query.getMany();
    return toConnection(rows, size, (p) => ({ at: p.createdAt.toISOString(), id: p.id }));
  }

  /** Called after a committed write that changed a panel (its postCount). */
  forget(...ids: string[]): Promise<void> {
    return this.cache.forget(...ids);
  }
}
