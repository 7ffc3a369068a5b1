/** Rows the browser asks the agent for around the scroll position (and the page's first window has). */
export const WINDOW_ROWS = 120;
