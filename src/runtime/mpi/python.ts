/** choosePythonForMpi for this machine: its package family and root-ness unless given. */
import { choosePythonForMpi, type ChoosePythonOptions, type PythonChoice } from '../../core/mpi/python';
import { localPlatform } from './platform';

export function chooseLocalPythonForMpi(options: Omit<ChoosePythonOptions, 'family' | 'isRoot'> & Partial<Pick<ChoosePythonOptions, 'family' | 'isRoot'>>): Promise<PythonChoice> {
  const here = options.family === undefined || options.isRoot === undefined ? localPlatform() : undefined;
  return choosePythonForMpi({ ...options, family: options.family ?? here!.family, isRoot: options.isRoot ?? here!.isRoot });
}
