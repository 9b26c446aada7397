#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One OS thread that runs the jobs of tasks preferring it, and nothing else.
///
/// Each connection owns one. Code that holds a leased connection runs with this thread as its
/// task executor (`withTaskExecutorPreference`), so a blocking libpq call is a plain function call
/// on a thread that belongs to that connection: no hop per query, and no blocking on Swift's
/// cooperative pool. Hopping per query (to `NIOThreadPool`) cost 45% of the request rate here.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    // Guarded by `mutex`.
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var thread: pthread_t?

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        let box = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let result = pthread_create(
            &handle, nil,
            { argument in
                let executor = Unmanaged<ConnectionThread>.fromOpaque(argument!).takeRetainedValue()
                executor.run()
                return nil
            }, box.toOpaque())
        precondition(result == 0, "cannot start a database thread: error \(result)")
        thread = handle
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// True when called on this thread.
    var isCurrent: Bool {
        guard let thread else { return false }
        return pthread_equal(pthread_self(), thread) != 0
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(&mutex)
        jobs.append(job)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Lets the thread finish the jobs it has and then exit.
    func shutdown() {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    private func run() {
        pthread_detach(pthread_self())
        var batch: [UnownedJob] = []
        while true {
            pthread_mutex_lock(&mutex)
            while jobs.isEmpty && !stopping {
                pthread_cond_wait(&condition, &mutex)
            }
            if jobs.isEmpty && stopping {
                pthread_mutex_unlock(&mutex)
                return
            }
            swap(&batch, &jobs)
            pthread_mutex_unlock(&mutex)
            for job in batch {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
