/**
 * A component that re-renders only when `same` says its props changed. (preact/compat's `memo`
 * would do, but importing compat installs a hook that runs for every element of every render.)
 */
import { Component, type ComponentChild } from 'preact';

export function memoWith<P extends object>(render: (props: P) => ComponentChild, same: (a: P, b: P) => boolean) {
  return class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !same(this.props, next);
    }

    override render(): ComponentChild {
      return render(this.props);
    }
  };
}
