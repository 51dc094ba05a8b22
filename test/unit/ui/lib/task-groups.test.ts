import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupChain, groupName, localName, outermostCollapsed, tasksByGroup } from '../../../../ui/src/lib/task-groups.ts';

describe('task groups', () => {
  it('reads a group\'s ancestors off its id, outermost first', () => {
    assert.deepEqual(groupChain('extract.mongo.users'), ['extract', 'extract.mongo', 'extract.mongo.users']);
    assert.deepEqual(groupChain('extract'), ['extract']);
    assert.deepEqual(groupChain(null), []);
    assert.equal(groupName('extract.mongo'), 'mongo');
    assert.equal(groupName('extract'), 'extract');
  });

  it('names a task by its own id inside its group, and by its whole id outside any', () => {
    assert.equal(localName('extract.mongo.users', 'extract.mongo'), 'users');
    assert.equal(localName('extract.orders', 'extract'), 'orders');
    // Ids may hold dots without groups.
    assert.equal(localName('v1.load', null), 'v1.load');
    assert.equal(localName('extractor.x', 'extract'), 'extractor.x');
  });

  it('finds the outermost collapsed group around a task', () => {
    const collapsed = new Set(['extract.mongo', 'extract']);
    assert.equal(outermostCollapsed('extract.mongo', collapsed), 'extract');
    assert.equal(outermostCollapsed('extract.mongo', new Set(['extract.mongo'])), 'extract.mongo');
    assert.equal(outermostCollapsed('load', collapsed), null);
    assert.equal(outermostCollapsed(null, collapsed), null);
  });

  it('lists each group\'s tasks, its subgroups\' included, in task order', () => {
    const members = tasksByGroup([
      { taskId: 'start', group: null },
      { taskId: 'extract.orders', group: 'extract' },
      { taskId: 'extract.mongo.users', group: 'extract.mongo' },
      { taskId: 'extract.items', group: 'extract' },
    ]);
    assert.deepEqual(Object.fromEntries(members), {
      extract: ['extract.orders', 'extract.mongo.users', 'extract.items'],
      'extract.mongo': ['extract.mongo.users'],
    });
  });
});
