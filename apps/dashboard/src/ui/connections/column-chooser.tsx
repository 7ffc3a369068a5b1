'use client';

import { useEffect, useRef, useState } from 'react';
import type { FlowTable } from './use-flow-table';

/** A menu of checkboxes that show or hide columns (the choice is remembered in this browser). */
export function ColumnChooser({ table }: { table: FlowTable }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  const columns = table.getAllLeafColumns().filter((c) => c.getCanHide());
  return (
    <div className="menu" ref={ref}>
      <button type="button" className="secondary" aria-expanded={open} aria-haspopup="true" onClick={() => setOpen((o) => !o)}>
        Columns
      </button>
      {open && (
        <div className="menu-panel" role="group" aria-label="visible columns" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {columns.map((column) => (
            <label key={column.id} className="menu-check">
              <input type="checkbox" checked={column.getIsVisible()} onChange={column.getToggleVisibilityHandler()} />
              {column.columnDef.meta?.label ?? column.id}
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
