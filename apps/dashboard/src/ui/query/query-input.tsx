'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useHydrated } from '../use-hydrated';
import { suggest, type SeenValues, type Suggestions } from './suggest';

export interface QueryError {
  message: string;
  /** The offending span in the text, when known. */
  start?: number;
  end?: number;
}

interface Props {
  value: string;
  onChange(value: string): void;
  /** Enter without a highlighted suggestion. */
  onSubmit(value: string): void;
  seen: SeenValues;
  error: QueryError | null;
  placeholder?: string;
  label: string;
  inputRef?: RefObject<HTMLInputElement | null>;
  /** Added after an error message, e.g. what the page still shows. */
  errorNote?: string;
}

const CLOSED: Suggestions = { from: 0, to: 0, items: [] };
/** The list stays a moment after the input loses focus, so a click on a suggestion still lands. */
const CLOSE_AFTER_BLUR_MS = 150;

/** The query box: autocomplete of keys and values, and errors shown under it pointing at the token. */
export function QueryInput({ value, onChange, onSubmit, seen, error, placeholder, label, inputRef, errorNote }: Props) {
  const ownRef = useRef<HTMLInputElement>(null);
  const ref = inputRef ?? ownRef;
  const [list, setList] = useState<Suggestions>(CLOSED);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const errorId = useId();
  const open = list.items.length > 0;
  const hydrated = useHydrated();
  /** Closes the list after a blur; focusing again cancels it, or it would close what the next keys open. */
  const blurTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancelBlurClose = () => {
    if (blurTimer.current !== null) clearTimeout(blurTimer.current);
    blurTimer.current = null;
  };
  useEffect(() => cancelBlurClose, []);

  function refresh(text: string, caret: number) {
    setList(suggest(text, caret, seen));
    setActive(-1);
  }

  function accept(index: number) {
    const item = list.items[index];
    if (!item) return;
    const before = value.slice(0, list.from);
    const after = value.slice(list.to);
    const glue = item.insert.endsWith(':') || after.startsWith(' ') ? '' : ' ';
    const next = `${before}${item.insert}${glue}${after}`;
    const caret = before.length + item.insert.length + glue.length;
    onChange(next);
    setList(CLOSED);
    setActive(-1);
    requestAnimationFrame(() => {
      ref.current?.setSelectionRange(caret, caret);
      if (item.insert.endsWith(':')) setList(suggest(next, caret, seen));
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (open && event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((i) => (i + 1) % list.items.length);
    } else if (open && event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => (i <= 0 ? list.items.length - 1 : i - 1));
    } else if (open && event.key === 'Tab' && !event.shiftKey) {
      event.preventDefault();
      accept(active < 0 ? 0 : active);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (open && active >= 0) accept(active);
      else {
        setList(CLOSED);
        onSubmit(value);
      }
    } else if (event.key === 'Escape') {
      if (open) setList(CLOSED);
      else ref.current?.blur();
    }
  }

  return (
    <div className="query-box">
      <label className="query-label" htmlFor={`${listId}-input`}>
        {label}
      </label>
      <div className="query-field">
        <input
          ref={ref}
          id={`${listId}-input`}
          className={`query-input${error ? ' invalid' : ''}`}
          value={value}
          spellCheck={false}
          autoComplete="off"
          placeholder={hydrated ? placeholder : 'Loading…'}
          readOnly={!hydrated}
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            onChange(e.target.value);
            refresh(e.target.value, e.target.selectionStart ?? e.target.value.length);
          }}
          onClick={(e) => refresh(value, e.currentTarget.selectionStart ?? value.length)}
          onKeyDown={onKeyDown}
          onFocus={cancelBlurClose}
          onBlur={() => {
            cancelBlurClose();
            blurTimer.current = setTimeout(() => setList(CLOSED), CLOSE_AFTER_BLUR_MS);
          }}
        />
        {open && (
          <ul className="suggestions" id={listId} role="listbox" aria-label="suggestions">
            {list.items.map((item, i) => (
              <li
                key={item.insert}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : undefined}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(i);
                }}
              >
                <code>{item.label}</code>
                {item.hint && <span className="muted small">{item.hint}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && <QueryErrorLine id={errorId} text={value} error={error} note={errorNote} />}
    </div>
  );
}

function QueryErrorLine({ id, text, error, note }: { id: string; text: string; error: QueryError; note: string | undefined }) {
  const { start, end } = error;
  const spanned = start !== undefined && end !== undefined && end >= start && end <= text.length;
  return (
    <div className="query-error" id={id} role="alert">
      {spanned && (
        <code className="query-error-text" aria-hidden="true">
          {text.slice(0, start)}
          <mark>{text.slice(start, end) || ' '}</mark>
          {text.slice(end)}
        </code>
      )}
      <span>
        {error.message}
        {note && <span className="muted"> · {note}</span>}
      </span>
    </div>
  );
}
