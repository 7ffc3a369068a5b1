'use client';

import { useState } from 'react';

/** Several lines of text (commands, a file) in a block with one Copy button. */
export function CopyBlock({ title, text }: { title: string; text: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  }
  return (
    <figure className="copy-block">
      <figcaption>
        <span>{title}</span>
        <button type="button" className="secondary small-button" onClick={() => void copy()} aria-label={`Copy ${title}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </figcaption>
      <pre>{text}</pre>
    </figure>
  );
}
