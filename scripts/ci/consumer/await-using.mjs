// `await using` with a locksmith handle, in plain JavaScript (no compiler).
import { lock } from 'locksmith';

{
  await using handle = await lock(process.argv[2], { timeout: 20_000 });
  if (!handle) process.exit(2);
}
