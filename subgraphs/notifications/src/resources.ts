import type { JobQueue } from '@agora/kit/jobs/port';
import type { EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import { openServiceStore, type ServiceStore } from '@agora/kit/service-store';
import type { NotificationsSettings } from './config';
import { startMailWorker, type MailWorker } from './mail/worker';
import { mailTransport, type MailTransport } from './mail/transport';
import { MailStore } from './store/mail';
import { migrations } from './store/migrations';
import { NotificationStore } from './store/notifications';
import { ReplicaStore } from './store/replicas';
import { SettingsStore } from './store/settings';
import { UnsubscribeTokens } from './unsubscribe-tokens';

/** The service's database and stores, shared by the subgraph and the mail worker. */
export interface NotificationResources {
  store: ServiceStore;
  replicas: ReplicaStore;
  settings: SettingsStore;
  mail: MailStore;
  notifications: NotificationStore;
  tokens: UnsubscribeTokens;
  close(): Promise<void>;
}

export async function openResources(
  host: { databaseUrl?: string; dataDir?: string; log: Logger; events: EventLog },
  settings: NotificationsSettings,
): Promise<NotificationResources> {
  const store = await openServiceStore(host, { service: 'notifications', migrations });
  const { db } = store;
  const replicas = new ReplicaStore(db);
  const settingsStore = new SettingsStore(db);
  const mail = new MailStore(db, replicas, settings);
  const notifications = new NotificationStore(db, replicas, settingsStore, mail);
  const tokens = await UnsubscribeTokens.open(db);
  return { store, replicas, settings: settingsStore, mail, notifications, tokens, close: () => store.close() };
}

/** The mail worker over these resources (inline in the subgraph, or in src/worker.ts). */
export function runMailWorker(
  resources: NotificationResources,
  deps: { jobs: JobQueue; log: Logger; settings: NotificationsSettings; transport?: MailTransport },
): Promise<MailWorker> {
  return startMailWorker({
    db: resources.store.db,
    mail: resources.mail,
    replicas: resources.replicas,
    settings: resources.settings,
    tokens: resources.tokens,
    transport: deps.transport ?? mailTransport(deps.settings),
    jobs: deps.jobs,
    log: deps.log.child({ component: 'mail-worker' }),
    options: deps.settings,
  });
}
