"""Background jobs: enqueueing (queue), the after-commit path, workers, the scheduler."""
