import { requiredText } from './text';

export const DISPLAY_NAME_MAX = 50;

/**
 * A person's display name: trimmed, 1 to 50 characters. Checked by auth when an account
 * is registered and by users when a profile is edited, so both hold the same rule.
 */
export const displayName = (value: string) =>
  requiredText(value, { field: 'displayName', label: 'Display name', max: DISPLAY_NAME_MAX });
