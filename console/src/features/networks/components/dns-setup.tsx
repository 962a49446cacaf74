import { Accordion, Alert, Button, Card, Group, Image, List, Stack, Text, Title } from '@mantine/core';
import { IconDownload, IconInfoCircle } from '@tabler/icons-react';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Network } from '../api';
import { CopyField } from './copy-field';

/** The network's DoH URL, from the API or, for older servers, from its token and this console's address. */
export function dohUrlOf(n: Network): string | null {
  if (n.doh_url) return n.doh_url;
  return n.token ? `${window.location.origin}/dns-query/${n.token}` : null;
}

const STEPS = ['android', 'apple', 'windows', 'browsers'] as const;

/** How to point a phone, a laptop or a browser at this network from anywhere, encrypted. */
export function DnsSetup({ network }: { network: Network }) {
  const { t } = useTranslation();
  const doh = dohUrlOf(network);
  const dot = network.dot_hostname ?? null;
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    if (!doh) return;
    let live = true;
    void QRCode.toDataURL(doh, { margin: 1, width: 180, errorCorrectionLevel: 'M' }).then((u) => live && setQr(u));
    return () => {
      live = false;
    };
  }, [doh]);

  // Apple devices take only encrypted DNS; the profile itself comes from the API, which
  // knows the server's TLS names
  const profileUrl = (transport: 'https' | 'tls') => `/api/networks/${network.id}/mobileconfig?transport=${transport}`;
  const dohProfile = doh !== null && doh.startsWith('https://');

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="dns-setup-title">
      <Title order={2} size="h4" id="dns-setup-title" mb="xs">
        {t('setup.title')}
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        {t('setup.intro')}
      </Text>
      {!doh && !dot ? (
        <Alert color="gray" icon={<IconInfoCircle aria-hidden />}>
          {t('setup.noToken')}
        </Alert>
      ) : (
        <Stack>
          <Group align="flex-start" wrap="wrap" gap="xl">
            <Stack gap="sm" style={{ flex: '1 1 18rem', minWidth: 0 }}>
              {doh ? <CopyField label={t('setup.dohUrl')} value={doh} testId="doh-url" /> : null}
              {dot ? <CopyField label={t('setup.dotHostname')} value={dot} testId="dot-hostname" /> : <Text size="sm" c="dimmed">{t('setup.noDot')}</Text>}
              {dohProfile ? (
                <Button component="a" href={profileUrl('https')} download variant="light" leftSection={<IconDownload size={16} aria-hidden />} w="fit-content">
                  {t('setup.downloadProfile')}
                </Button>
              ) : null}
              {dot ? (
                <Button component="a" href={profileUrl('tls')} download variant="light" leftSection={<IconDownload size={16} aria-hidden />} w="fit-content">
                  {t('setup.downloadProfileDot')}
                </Button>
              ) : null}
              {!dohProfile && !dot ? <Text size="sm" c="dimmed">{t('setup.profileNeedsTls')}</Text> : null}
            </Stack>
            {qr ? <Image src={qr} alt={t('setup.qrAlt', { url: doh })} w={180} h={180} radius="sm" /> : null}
          </Group>
          <Accordion variant="separated">
            {STEPS.map((s) => (
              <Accordion.Item key={s} value={s}>
                <Accordion.Control>{t(`setup.${s}.title`)}</Accordion.Control>
                <Accordion.Panel>
                  <List type="ordered" size="sm" spacing={4}>
                    {(t(`setup.${s}.steps`, { returnObjects: true, dot: dot ?? t('setup.dotMissing'), doh: doh ?? '' }) as string[]).map((step, i) => (
                      <List.Item key={i}>{step}</List.Item>
                    ))}
                  </List>
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
          <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />} title={t('bypass.title')}>
            <Text size="sm">{t('bypass.text')}</Text>
            <Text size="sm" mt="xs">
              {t('bypass.limits')}
            </Text>
          </Alert>
        </Stack>
      )}
    </Card>
  );
}
