import { runService } from '@agora/kit/service';
import { picturesService } from './service';

// Uploads are base64 in a mutation (10 MiB of image is ~13.4 MiB of text): accept what the
// gateway accepts (its MAX_BODY_BYTES default) unless told otherwise.
process.env.MAX_BODY_BYTES ??= String(15 * 1024 * 1024);

runService(picturesService);
