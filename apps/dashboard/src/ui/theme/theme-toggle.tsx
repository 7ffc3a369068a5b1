'use client';

import { saveThemeChoice, THEME_CHOICES, type ThemeChoice } from './theme-store';
import { useThemeChoice } from './use-theme';

const LABELS: Record<ThemeChoice, string> = { light: '☀ Light', dark: '☾ Dark', system: '◐ System' };

/** Light, dark, or follow the system; remembered in this browser. */
export function ThemeToggle() {
  const choice = useThemeChoice();
  return (
    <select className="theme-toggle" aria-label="Theme" title="Color theme (System follows your operating system)" value={choice} onChange={(e) => saveThemeChoice(e.target.value as ThemeChoice)}>
      {THEME_CHOICES.map((c) => (
        <option key={c} value={c}>
          {LABELS[c]}
        </option>
      ))}
    </select>
  );
}
