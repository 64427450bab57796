/**
 * How long each Kafka topic keeps its events (docs/operations.md, "Event history"). Read
 * models such as search are rebuilt by replaying the topics from their start, so history
 * must stay:
 * - topics whose every event carries its entity's whole state after the write, keyed by that
 *   entity (posts, comments, pictures, profiles, registrations, panels), are compacted: the
 *   latest event of each entity is kept for ever, and every event for a week first
 *   (`min.compaction.lag.ms`) for consumers that replay recent changes one by one;
 * - users.relations carries changes keyed by the acting user (a follow of one, a block of
 *   another): compaction would keep only someone's last change, so it keeps everything;
 * - dead letters are kept 30 days for someone to look at.
 * Other topics keep the broker's default.
 */
const WEEK_MS = 7 * 24 * 3600_000;

const COMPACTED = {
  'cleanup.policy': 'compact',
  'retention.ms': '-1',
  'min.compaction.lag.ms': String(WEEK_MS),
};
const FOREVER = { 'cleanup.policy': 'delete', 'retention.ms': '-1' };

const BY_TOPIC: Record<string, Record<string, string>> = {
  'auth.users': COMPACTED,
  'users.profiles': COMPACTED,
  'users.relations': FOREVER,
  'forum.panels': COMPACTED,
  'forum.posts': COMPACTED,
  'comments.comments': COMPACTED,
  'pictures.pictures': COMPACTED,
};

/** Kafka topic settings for `topic`, applied when the event log creates it. */
export function kafkaTopicConfig(topic: string): Record<string, string> {
  if (topic.startsWith('dead-letters.'))
    return { 'cleanup.policy': 'delete', 'retention.ms': String(30 * 24 * 3600_000) };
  return BY_TOPIC[topic] ?? {};
}
