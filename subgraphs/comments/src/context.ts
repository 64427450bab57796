import type { RequestContext } from '@agora/kit/subgraph';
import type { CommentStore } from './store/comments';
import type { PostReplicaStore } from './store/posts';

/** What comments resolvers get per request. */
export interface Context extends RequestContext {
  comments: CommentStore;
  posts: PostReplicaStore;
}
