/** Who the audit log says made a change from the command line: `cli:<os user>`. */
import { userInfo } from 'node:os';

/**
 * The OS user running this command. os.userInfo() throws when the user has no entry in the
 * password database (a container run with an arbitrary --user uid is the usual case): then the
 * login name the environment gives, and failing that the uid, so the entry still tells people apart.
 */
export function cliActor(env: NodeJS.ProcessEnv = process.env, lookUp: () => string = () => userInfo().username): string {
  let name: string | undefined;
  try {
    name = lookUp();
  } catch {
    name = env.USER || env.LOGNAME || env.USERNAME;
    if (!name && typeof process.getuid === 'function') name = `uid-${process.getuid()}`;
  }
  return `cli:${name || 'unknown'}`;
}
