import type { ServiceDefinition } from '@agora/kit/service';
import { serveSubgraph } from '@agora/kit/subgraph';
import { notificationsSettings, type NotificationsSettings } from './config';
import type { Context } from './context';
import { consumeEvents } from './events/consumers';
import type { MailTransport } from './mail/transport';
import type { MailWorker } from './mail/worker';
import { openResources, runMailWorker, type NotificationResources } from './resources';
import { resolvers } from './resolvers';

export interface NotificationsOptions {
  /** Settings instead of the env's (tests). */
  settings?: Partial<NotificationsSettings>;
  /** A transport instead of the one the settings name (tests). */
  transport?: MailTransport;
  /** Called with the service's stores and inline mail worker once they run (tests). */
  onStarted?: (internals: { resources: NotificationResources; worker?: MailWorker }) => void;
}

/**
 * The notifications subgraph: in-app notifications made from other services' events,
 * settings, and e-mail through the mail worker (inline unless NOTIFICATIONS_MAIL_WORKER=off).
 * Wiring only.
 */
export function createNotificationsService(options: NotificationsOptions = {}): ServiceDefinition {
  return {
    name: 'notifications',
    async start(runtime) {
      const settings = { ...notificationsSettings(runtime.dataDir), ...options.settings };
      const resources = await openResources({ ...runtime, events: runtime.infra.events }, settings);
      const consumer = await consumeEvents({
        db: resources.store.db,
        outbox: resources.store.outbox,
        events: runtime.infra.events,
        replicas: resources.replicas,
        notifications: resources.notifications,
        mail: resources.mail,
        log: runtime.log,
      });
      const worker =
        settings.mailWorker === 'inline'
          ? await runMailWorker(resources, {
              jobs: runtime.infra.jobs,
              log: runtime.log,
              settings,
              transport: options.transport,
            })
          : undefined;
      options.onStarted?.({ resources, worker });
      const server = await serveSubgraph<Context>(runtime, {
        name: 'notifications',
        db: resources.store.db,
        resolvers,
        context: (base) => ({
          ...base,
          notifications: resources.notifications,
          settings: resources.settings,
          replicas: resources.replicas,
          tokens: resources.tokens,
        }),
      });
      return {
        ...server,
        close: async () => {
          await server.close();
          await consumer.stop();
          await worker?.stop();
          await resources.close();
        },
      };
    },
  };
}

export const notificationsService = createNotificationsService();
