import { createTheme, type CSSVariablesResolver } from '@mantine/core';

// Darker shades than Mantine's defaults: white text on the primary colour and the "dimmed"
// grey both have to reach WCAG AA contrast (4.5:1) for the axe check and for tired eyes on
// a bright classroom projector.

export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: 8,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif' },
  focusRing: 'auto',
});

export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-placeholder': t.colors.gray[6],
  },
  dark: {},
});
