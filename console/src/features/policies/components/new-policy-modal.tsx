import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifyError } from '../../../app/notify';
import { useCreatePolicy, type Policy } from '../api';

/** A new, empty policy: it blocks nothing until categories are switched on. */
export function NewPolicyModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (p: Policy) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const create = useCreatePolicy();
  const submit = () => {
    if (!name.trim()) return;
    create.mutate(
      { name: name.trim() },
      {
        onSuccess: (p) => {
          setName('');
          onCreated(p);
        },
        onError: (e) => notifyError(t, e),
      },
    );
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('policies.new')} centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <TextInput label={t('policies.newName')} description={t('policies.newNameHint')} value={name} onChange={(e) => setName(e.currentTarget.value)} required data-autofocus />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              {t('common.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
