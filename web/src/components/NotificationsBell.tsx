/**
 * The header's slot for notifications (issue 15): the bell with the unread count and its
 * link to the notifications page go here. Until then it renders nothing.
 */
export function NotificationsBell() {
  return null;
}
