#include "sim/calibrate/mpi_calibration.hpp"

#include <cstdlib>
#include <iostream>

#include "sim/calibrate/particle_simulator.hpp"

#ifdef STACKRACE_MPI
#include <mpi.h>
#endif

namespace stackrace {

CalibrationStartFailed::CalibrationStartFailed(int status)
    : std::runtime_error("rank 0 could not start the calibration"), status(status) {}

#ifndef STACKRACE_MPI
int calibration_rank() { return 0; }
int calibration_ranks() { return 1; }
int ranks_with(bool flag) { return flag ? 1 : 0; }
std::int64_t summed_over_ranks(std::int64_t n) { return n; }
bool stop_agreed(const std::atomic<bool>* stop) { return stop && stop->load(); }
SimulateBatch across_ranks(SimulateBatch on_this_rank, std::size_t) { return on_this_rank; }
void share_start(std::exception_ptr why, int) {
  if (why) std::rethrow_exception(why);
}
void end_job(const std::exception&) { throw; }
#else
namespace {

bool in_job() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  return initialised != 0;
}

bool any_rank(bool flag) { return ranks_with(flag) > 0; }

}  // namespace

int ranks_with(bool flag) {
  int mine = flag ? 1 : 0, count = mine;
  if (in_job()) MPI_Allreduce(&mine, &count, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  return count;
}

std::int64_t summed_over_ranks(std::int64_t n) {
  std::int64_t sum = n;
  if (in_job()) MPI_Allreduce(&n, &sum, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

bool stop_agreed(const std::atomic<bool>* stop) { return any_rank(stop && stop->load()); }

int calibration_rank() {
  int rank = 0;
  if (in_job()) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int calibration_ranks() {
  int size = 1;
  if (in_job()) MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

SimulateBatch across_ranks(SimulateBatch on_this_rank, std::size_t targets) {
  const int rank = calibration_rank(), size = calibration_ranks();
  if (size == 1) return on_this_rank;
  return [=](const std::vector<std::vector<double>>& theta, const std::vector<std::int64_t>& index) {
    const std::size_t n = theta.size(), R = std::size_t(size), width = 1 + targets;
    std::vector<std::vector<double>> my_theta;
    std::vector<std::int64_t> my_index;
    for (std::size_t j = std::size_t(rank); j < n; j += R) my_theta.push_back(theta[j]), my_index.push_back(index[j]);
    // An interrupt stops this rank's share; the others learn it before any gathers.
    std::vector<Simulated> mine;
    bool interrupted = false;
    try {
      mine = on_this_rank(my_theta, my_index);
    } catch (const CalibrationInterrupted&) {
      interrupted = true;
    } catch (const std::exception& e) {
      end_job(e);  // the other ranks would wait for this one's results
    }
    if (any_rank(interrupted)) throw CalibrationInterrupted{};
    // Each result as 1 + targets doubles: its distance, then its summaries.
    std::vector<double> packed;
    for (const Simulated& s : mine) {
      packed.push_back(s.distance2);
      packed.insert(packed.end(), s.summaries.begin(), s.summaries.end());
    }
    std::vector<int> counts(R), offsets(R);
    for (std::size_t r = 0; r < R; ++r) {
      counts[r] = static_cast<int>(((n + R - 1 - r) / R) * width);
      offsets[r] = r ? offsets[r - 1] + counts[r - 1] : 0;
    }
    std::vector<double> all(n * width);
    MPI_Allgatherv(packed.data(), static_cast<int>(packed.size()), MPI_DOUBLE, all.data(), counts.data(),
                   offsets.data(), MPI_DOUBLE, MPI_COMM_WORLD);
    std::vector<Simulated> out(n);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t k = 0, j = r; j < n; ++k, j += R) {
        const double* at = all.data() + offsets[r] + k * width;
        out[j].distance2 = at[0];
        out[j].summaries.assign(at + 1, at + width);  // floats, sent as doubles: exact both ways
      }
    return out;
  };
}

void share_start(std::exception_ptr why, int status) {
  if (!in_job()) {
    if (why) std::rethrow_exception(why);
    return;
  }
  int shared = why ? status : 0;
  MPI_Bcast(&shared, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (calibration_rank() == 0) {
    if (why) std::rethrow_exception(why);
  } else if (shared != 0) {
    throw CalibrationStartFailed(shared);
  }
}

void end_job(const std::exception& e) {
  if (!in_job() || calibration_ranks() == 1) throw;
  std::cerr << "stackrace: calibrate failed on rank " << calibration_rank() << ": " << e.what() << std::endl;
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();  // MPI_Abort does not return
}
#endif

}  // namespace stackrace
