import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project a config file belongs to: the nearest folder, from the config's own up to the
 * workspace root, holding a project.json or package.json (workspace-relative, `.` for the root).
 * Undefined when there is none: Nx needs a project to attach targets to.
 *
 * @example projectRootOf('trainings/mnist/configs/a.fit.yaml', '/ws'); // 'trainings/mnist' when it has a project.json
 */
export function projectRootOf(configFile: string, workspaceRoot: string, cache = new Map<string, boolean>()): string | undefined {
  const isProject = (dir: string) => {
    let found = cache.get(dir);
    if (found === undefined) cache.set(dir, (found = existsSync(join(workspaceRoot, dir, 'project.json')) || existsSync(join(workspaceRoot, dir, 'package.json'))));
    return found;
  };
  for (let dir = dirname(configFile); ; dir = dirname(dir)) {
    if (isProject(dir)) return dir;
    if (dir === '.' || dir === '/' || dir === '') return undefined;
  }
}
