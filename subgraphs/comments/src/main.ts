import { runService } from '@agora/kit/service';
import { commentsService } from './service';

runService(commentsService);
