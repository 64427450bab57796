import type { RequestContext } from '@agora/kit/subgraph';
import type { NotificationStore } from './store/notifications';
import type { ReplicaStore } from './store/replicas';
import type { SettingsStore } from './store/settings';
import type { UnsubscribeTokens } from './unsubscribe-tokens';

/** What notifications resolvers get per request. */
export interface Context extends RequestContext {
  notifications: NotificationStore;
  settings: SettingsStore;
  replicas: ReplicaStore;
  tokens: UnsubscribeTokens;
}
