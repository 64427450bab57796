import { runService } from '@agora/kit/service';
import { usersService } from './service';

runService(usersService);
