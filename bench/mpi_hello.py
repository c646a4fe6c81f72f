"""The benchmark's program: every rank says hello and takes part in one allreduce."""
from mpi4py import MPI

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
total = comm.allreduce(rank, op=MPI.SUM)
print(f"hello from rank {rank} of {comm.Get_size()}, total {total}")
