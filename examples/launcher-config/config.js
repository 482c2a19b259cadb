// The config module of a container launcher (story 4). Its config lives in <home>/config.yaml plus one
// file per project in <home>/projects/. `loadConfig` locks the global file and the project file together,
// asks the user only what is still missing, writes back what changed, unlocks, and returns a read-only
// config. Nothing slow happens while the files are locked: pulling the image is the caller's job, after.
import path from 'node:path';
import { openStore, transact } from 'locksmith';
import { z } from 'zod';

const Global = z.object({
  images: z.array(z.string()).min(1),
  mounts: z.array(z.string()),
});
const Project = z.object({
  image: z.string().optional(),
  mounts: z.array(z.string()).optional(),
});

/**
 * @param {object} options
 * @param {string} options.home the launcher's folder (~/.launcher)
 * @param {string} options.project the project's name
 * @param {(question: string, choices: readonly string[]) => Promise<string>} options.ask asks the user
 * @param {() => readonly string[]} options.knownImages the images the registry module offers (fast, cached)
 * @param {(info: { holder?: { pid: number } }) => void} [options.onWait] told when another instance holds the files
 */
export async function loadConfig({ home, project, ask, knownImages, onWait }) {
  const global = openStore(path.join(home, 'config.yaml'), {
    schema: Global,
    defaults: { images: [...knownImages()], mounts: [] },
  });
  const local = openStore(path.join(home, 'projects', `${project}.yaml`), { schema: Project, defaults: {} });

  const [g, p] = await transact(
    [global, local],
    async ([g, p]) => {
      // Only questions here, no slow work: other instances wait for these files meanwhile.
      p.image ??= await ask(`Which base image for ${project}?`, g.images);
      if (!g.images.includes(p.image)) g.images.push(p.image);
    },
    { timeout: 5 * 60_000, ...(onWait ? { onWait } : {}) },
  );
  // g and p are deep-frozen; so is what we build from them.
  return Object.freeze({
    project,
    image: p.image,
    mounts: Object.freeze([...g.mounts, ...(p.mounts ?? [])]),
  });
}
