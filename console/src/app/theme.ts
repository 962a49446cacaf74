import { createTheme, type CSSVariablesResolver } from '@mantine/core';

// Darker shades than Mantine's defaults: white text on the primary colour and the "dimmed"
// grey both have to reach WCAG AA contrast (4.5:1) for the axe check and for tired eyes on
// a bright classroom projector.

export const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: 9,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
  headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif' },
  focusRing: 'auto',
});

const LIGHT_COLORS = ['teal', 'gray', 'red', 'blue', 'green', 'indigo', 'grape'] as const;

export const cssVariablesResolver: CSSVariablesResolver = (t) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': t.colors.gray[7],
    '--mantine-color-placeholder': t.colors.gray[6],
    '--mantine-color-anchor': t.colors.teal[9],
    // light variants (active navigation, light buttons and badges): a paler background and
    // the darkest text shade, so both stay above 4.5:1
    ...Object.fromEntries(
      LIGHT_COLORS.flatMap((c) => [
        [`--mantine-color-${c}-light`, t.colors[c][0]],
        [`--mantine-color-${c}-light-hover`, t.colors[c][1]],
        [`--mantine-color-${c}-light-color`, t.colors[c][9]],
        [`--mantine-color-${c}-outline`, t.colors[c][9]],
      ]),
    ),
  },
  dark: {},
});
