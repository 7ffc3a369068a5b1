import { THEME_STORAGE_KEY } from './theme-store';

/**
 * Runs in <head> before the page paints, so a dark page never flashes light: the same resolution as
 * theme-store's, inlined (no module can load that early). Allowed by the page's CSP through the request's nonce (see app/layout.tsx).
 */
export const THEME_SCRIPT = `(function(){var c='system';try{var s=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});if(s==='light'||s==='dark')c=s}catch(e){}var r=c==='system'?(matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'):c;var d=document.documentElement;d.dataset.theme=r;d.dataset.themeChoice=c})();`;
