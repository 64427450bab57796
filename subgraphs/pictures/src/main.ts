import { runService } from '@agora/kit/service';
import { picturesService } from './service';

runService(picturesService);
