import { notifications } from '@mantine/notifications';
import type { TFunction } from 'i18next';
import { ApiError } from './api-client';

/** A saved change, or why it was refused, in words and naming the field the API blamed. */
export function notifySaved(t: TFunction): void {
  notifications.show({ color: 'teal', message: t('common.saved') });
}

export function notifyError(t: TFunction, err: unknown, title = t('common.saveFailed')): void {
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof ApiError) {
    if (err.status === 403) message = t('errors.forbidden');
    else if (err.status === 409 && !err.message) message = t('common.managedByConfigHint');
    if (err.field) message = `${message} (${t('errors.field', { field: err.field })})`;
  }
  notifications.show({ color: 'red', title, message, autoClose: 10_000 });
}
