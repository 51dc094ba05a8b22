/**
 * Task groups in the graph (SVG): an expanded group's box, whose header collapses it, and a
 * collapsed group's node, which shows its tasks' states in the chosen run and expands it. Both
 * toggle on a click, or on Enter or Space when focused. (In SVG, attribute names keep their case:
 * focusable takes `tabindex`, which `tabIndex` is not.)
 */
import type { PlacedGroup } from '../lib/grouped-layout.ts';
import { GROUP_HEADER_PX } from '../lib/grouped-layout.ts';
import { describeCounts, type StateSummary } from '../lib/state-summary.ts';
import { groupName } from '../lib/task-groups.ts';
import { plural } from '../lib/format.ts';
import { stateLabel } from './state.tsx';

interface GroupProps {
  group: PlacedGroup;
  tooltip: string;
  onToggle: (groupId: string) => void;
}

/** Enter and Space act as a click, as they do on a button. */
function toggleKeys(toggle: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    toggle();
  };
}

function titleOf(group: PlacedGroup, tooltip: string, more: string): string {
  return [group.groupId, tooltip, `${plural(group.taskIds.length, 'task')}${more}`].filter(Boolean).join('\n');
}

export function GroupBox({ group, tooltip, onToggle }: GroupProps) {
  const toggle = () => onToggle(group.groupId);
  return (
    <g class="group-box" data-group-id={group.groupId} transform={`translate(${group.x},${group.y})`}>
      <rect width={group.width} height={group.height} rx={8} class="group-frame" />
      <g
        class="group-head"
        role="button"
        tabindex={0}
        aria-expanded="true"
        aria-label={`Group ${group.groupId}, ${plural(group.taskIds.length, 'task')}: collapse`}
        onClick={toggle}
        onKeyDown={toggleKeys(toggle)}
      >
        <title>{titleOf(group, tooltip, ' · click to collapse')}</title>
        <rect width={group.width} height={GROUP_HEADER_PX} rx={8} class="group-head-box" />
        <text x={10} y={16} class="group-label">
          ▾ {groupName(group.groupId)}
          <tspan class="group-count"> · {plural(group.taskIds.length, 'task')}</tspan>
        </text>
      </g>
    </g>
  );
}

/** A collapsed group: coloured by its tasks' most pressing state, with a bar of all their states. */
export function GroupNode({ group, tooltip, onToggle, summary }: GroupProps & { summary: StateSummary | null }) {
  const toggle = () => onToggle(group.groupId);
  const state = summary?.state ?? 'none';
  const counts = summary ? describeCounts(summary, stateLabel) : 'not in this run';
  return (
    <g
      class={`node group-node st-${state} clickable`}
      transform={`translate(${group.x},${group.y})`}
      role="button"
      tabindex={0}
      aria-expanded="false"
      aria-label={`Group ${group.groupId}, ${plural(group.taskIds.length, 'task')}: ${counts}. Expand`}
      data-group-id={group.groupId}
      data-state={state}
      onClick={toggle}
      onKeyDown={toggleKeys(toggle)}
    >
      <title>{titleOf(group, tooltip, `: ${counts}\nclick to expand`)}</title>
      <rect width={group.width} height={group.height} rx={6} class="node-box group-node-box" />
      <rect width={6} height={group.height} rx={3} class="node-state" />
      <text x={14} y={16} class="node-label">
        ▸ {groupName(group.groupId)}
      </text>
      <text x={14} y={31} class="node-sub">
        {summary ? `${stateLabel(state)} ${summary.counts[0]![1]}/${summary.total}` : plural(group.taskIds.length, 'task')}
      </text>
      {summary && <StateBar summary={summary} x={14} y={group.height - 8} width={group.width - 22} />}
    </g>
  );
}

/** Each state's share of the group's tasks (or a mapped task's instances), side by side, in the summary's order. */
export function StateBar({ summary, x, y, width }: { summary: StateSummary; x: number; y: number; width: number }) {
  let left = x;
  return (
    <g class="state-bar" aria-hidden="true">
      <rect x={x} y={y} width={width} height={4} class="bar-track" />
      {summary.counts.map(([state, count]) => {
        const part = (width * count) / summary.total;
        // A state's colour is a CSS variable (no status is transparent: the track shows through).
        const segment = <rect key={state} x={left} y={y} width={part} height={4} class="bar-part" style={{ fill: `var(--st-${state}, transparent)` }} />;
        left += part;
        return segment;
      })}
    </g>
  );
}
