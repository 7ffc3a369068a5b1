'use client';

import { useEffect, useRef, type ReactNode } from 'react';

/** A modal dialog (the platform's <dialog>): Escape and the close button call onClose. */
export function Modal({ title, onClose, children }: { title: string; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="modal-header">
        <h2>{title}</h2>
        <button type="button" className="link-button" aria-label="close" onClick={onClose}>
          ✕
        </button>
      </header>
      {children}
    </dialog>
  );
}
