'use client';

import type { DiagnosisFix } from '@ctscope/protocol';
import { formatCount } from '../format';
import type { BrowserSocket } from '../live/browser-socket';
import { CopyBlock } from '../tuning/copy-block';
import { DeleteMatchingDialog } from '../connections/delete-matching-dialog';
import { mayPreview, ruleDeadlineMs } from './diagnosis-view';
import { RuleFix } from './rule-fix';
import { SysctlFix } from './sysctl-fix';

interface Props {
  fix: DiagnosisFix;
  socket: BrowserSocket | null;
  hostId: string;
  mayChange: boolean;
  viewer: boolean;
  /** Whether this fix's preview is the one open (one at a time on the page). */
  open: boolean;
  onOpen(open: boolean): void;
  onDone(message: string): void;
}

const KIND_LABEL: Record<DiagnosisFix['kind'], string> = { delete: 'Delete entries', sysctl: 'Tuning', rule: 'Rule', advice: 'Advice' };

/** One fix: what it does and costs, and its preview through the page that owns the flow (delete dry run, tuning preview, rule preview). */
export function FixItem({ fix, socket, hostId, mayChange, viewer, open, onOpen, onDone }: Props) {
  const previewable = mayPreview(fix, mayChange) && socket !== null;
  const deadline = fix.kind === 'rule' ? ruleDeadlineMs(fix) : undefined;
  return (
    <li className="diagnosis-fix" data-fix={fix.kind}>
      <div className="diagnosis-fix-head">
        <span className="fix-kind">{KIND_LABEL[fix.kind]}</span>
        <strong>{fix.label}</strong>
        {fix.kind === 'delete' && <span className="muted small">{formatCount(fix.count)} {fix.count === 1 ? 'entry' : 'entries'} when diagnosed</span>}
        {deadline !== undefined && <span className="muted small">for {Math.round(deadline / 1000)} s</span>}
        {previewable && (
          <button type="button" className="secondary small-button" aria-expanded={open} onClick={() => onOpen(!open)}>
            {open && fix.kind !== 'delete' ? 'Close preview' : 'Preview'}
          </button>
        )}
      </div>
      {fix.tradeoff && <p className="small tradeoff">Trade-off: {fix.tradeoff}</p>}
      {fix.kind === 'advice' && (
        <div className="diagnosis-advice">
          <CopyBlock title="Advice" text={fix.text} />
        </div>
      )}
      {fix.kind === 'delete' && viewer && <p className="muted small">Operators and admins can preview (dry run) and delete these entries.</p>}
      {open && socket && fix.kind === 'delete' && (
        <DeleteMatchingDialog
          socket={socket}
          hostId={hostId}
          query={fix.query}
          onDone={(message) => {
            onOpen(false);
            onDone(message);
          }}
          onClose={() => onOpen(false)}
        />
      )}
      {open && socket && fix.kind === 'sysctl' && <SysctlFix socket={socket} hostId={hostId} fix={fix} mayChange={mayChange} onClose={() => onOpen(false)} onApplied={onDone} />}
      {open && socket && fix.kind === 'rule' && <RuleFix socket={socket} hostId={hostId} fix={fix} mayChange={mayChange} />}
    </li>
  );
}
