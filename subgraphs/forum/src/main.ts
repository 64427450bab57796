import { runService } from '@agora/kit/service';
import { forumService } from './service';

runService(forumService);
