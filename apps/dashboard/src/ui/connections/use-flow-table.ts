'use client';

import { functionalUpdate, useTable, type ColumnVisibilityState, type RowSelectionState, type SortingState } from '@tanstack/react-table';
import { SORT_COLUMNS, type SortColumn, type WindowSpec, type WireFlow } from '@ctscope/protocol';
import { useMemo } from 'react';
import { flowColumns, flowFeatures } from './flow-columns';

interface Options {
  rows: WireFlow[];
  sort: WindowSpec['sort'];
  onSort(sort: WindowSpec['sort']): void;
  selection: RowSelectionState;
  onSelection(next: RowSelectionState): void;
  visibility: ColumnVisibilityState;
  onVisibility(next: ColumnVisibilityState): void;
  canSelect: boolean;
}

const isSortColumn = (id: string): id is SortColumn => (SORT_COLUMNS as readonly string[]).includes(id);

/**
 * TanStack Table in manual mode over the agent's window: the rows are already filtered, sorted and
 * sliced by the agent, so the table only owns sort intent, selection and column visibility.
 */
export function useFlowTable({ rows, sort, onSort, selection, onSelection, visibility, onVisibility, canSelect }: Options) {
  const sorting = useMemo<SortingState>(() => [{ id: sort.column, desc: sort.desc }], [sort.column, sort.desc]);
  return useTable({
    features: flowFeatures,
    columns: flowColumns,
    data: rows,
    getRowId: (flow) => flow.key,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    enableRowSelection: canSelect,
    state: { sorting, rowSelection: selection, columnVisibility: visibility },
    onSortingChange: (updater) => {
      const first = functionalUpdate(updater, sorting)[0];
      if (first && isSortColumn(first.id)) onSort({ column: first.id, desc: first.desc });
    },
    onRowSelectionChange: (updater) => onSelection(functionalUpdate(updater, selection)),
    onColumnVisibilityChange: (updater) => onVisibility(functionalUpdate(updater, visibility)),
  });
}

export type FlowTable = ReturnType<typeof useFlowTable>;
