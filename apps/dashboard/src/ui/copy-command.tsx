'use client';

import { useState } from 'react';

/** A command shown in monospace with a button that copies it. */
export function CopyCommand({ command, label = 'Copy' }: { command: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  }
  return (
    <div className="copy-command">
      <code>{command}</code>
      <button type="button" onClick={() => void copy()} aria-label={`${label}: ${command}`}>
        {copied ? 'Copied' : label}
      </button>
    </div>
  );
}
