/**
 * The color theme. The choice (light, dark, or follow the system) is kept in localStorage; the resolved
 * theme lives on <html data-theme>, set before first paint by the inline script in the root layout and
 * kept current here. Everything that draws colors itself (canvas charts) subscribes to that attribute.
 */
export const THEME_CHOICES = ['light', 'dark', 'system'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];
export type ResolvedTheme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'ctscope.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

const isChoice = (value: unknown): value is ThemeChoice => (THEME_CHOICES as readonly unknown[]).includes(value);

export function readThemeChoice(): ThemeChoice {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isChoice(stored) ? stored : 'system';
  } catch {
    return 'system';
  }
}

const resolve = (choice: ThemeChoice): ResolvedTheme => (choice === 'system' ? (window.matchMedia(DARK_QUERY).matches ? 'dark' : 'light') : choice);

function apply(choice: ThemeChoice): void {
  const root = document.documentElement;
  root.dataset.theme = resolve(choice);
  root.dataset.themeChoice = choice;
}

export function saveThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // storage disabled: the choice lasts for this page
  }
  apply(choice);
}

export const resolvedTheme = (): ResolvedTheme => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
export const currentChoice = (): ThemeChoice => {
  const choice = document.documentElement.dataset.themeChoice;
  return isChoice(choice) ? choice : 'system';
};

/** Calls back when the theme on <html> changes (a toggle, another tab, or the system while on "system"). */
export function subscribeTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'data-theme-choice'] });
  const media = window.matchMedia(DARK_QUERY);
  const followSystem = () => {
    if (currentChoice() === 'system') apply('system');
  };
  const otherTab = (e: StorageEvent) => {
    if (e.key === THEME_STORAGE_KEY) apply(readThemeChoice());
  };
  media.addEventListener('change', followSystem);
  window.addEventListener('storage', otherTab);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', followSystem);
    window.removeEventListener('storage', otherTab);
  };
}
