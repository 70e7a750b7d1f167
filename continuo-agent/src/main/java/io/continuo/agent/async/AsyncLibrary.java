package io.continuo.agent.async;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Loads async-profiler privately and calls it through reflection.
 *
 * <p>Why a private class loader and reflection: the JNI entry points of libasyncProfiler.so are fixed
 * ({@code Java_one_profiler_AsyncProfiler_execute0}, ...), so its Java class must be exactly
 * {@code one.profiler.AsyncProfiler} and cannot be relocated. If our jar carried that class where class
 * loaders look for it, an app that ships its own async-profiler (a different version, maybe) could get
 * ours, or we theirs, depending on class-path order. So the build stores the classes as resources under
 * {@code io/continuo/agent/async/lib/one/profiler/*.bin} (no loader or class-path scanner sees a
 * {@code one.profiler} class in our jar) and this class defines them in a class loader of its own whose
 * parent is the platform loader: the app's copy, if any, is never visible to it and ours never to the app.
 * The agent cannot name those classes in its own code, hence reflection (a handful of calls per interval).
 * The native library loaded through that class is bound to our loader only.
 *
 * <p>Two native copies of async-profiler in one process would fight over signal handlers and JVMTI
 * callbacks, so loading is refused when {@code /proc/self/maps} already holds a libasyncProfiler
 * (the app's, or one loaded with {@code -agentpath}). An app that loads its own copy after us is not
 * detected here (async-profiler then reports its own errors).
 */
final class AsyncLibrary {
    static final String RESOURCES = "/io/continuo/agent/async/lib/";
    private static final String CLASS_PREFIX = "one.profiler.";

    private final Object profiler;
    private final Method execute;
    final String version;
    final String source;

    private AsyncLibrary(Object profiler, Method execute, String version, String source) {
        this.profiler = profiler;
        this.execute = execute;
        this.version = version;
        this.source = source;
    }

    /** Why async-profiler cannot be used, in words fit for the one log line. */
    static final class Unavailable extends Exception {
        Unavailable(String reason) { super(reason, null, false, false); }
    }

    /**
     * Loads the user's library ({@code userPath} non-empty) or extracts the bundled one for this platform.
     * Never leaves an extracted file behind: it is deleted as soon as it is mapped.
     */
    static AsyncLibrary load(String userPath) throws Unavailable {
        String already = alreadyLoaded(Path.of("/proc/self/maps"));
        if (already != null) throw new Unavailable("another async-profiler is already loaded in this JVM (" + already + ")");
        Class<?> c;
        try {
            c = Class.forName(CLASS_PREFIX + "AsyncProfiler", true, new PrivateLoader());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new Unavailable("cannot define one.profiler.AsyncProfiler: " + oneLine(e));
        }
        if (!nativeAccessAllowed(c.getModule())) {
            // JDK 24+ prints a multi-line warning into the app's stderr on System.load without it (JEP 472).
            throw new Unavailable("Java " + Runtime.version().feature()
                    + " restricts System.load: run with --enable-native-access=ALL-UNNAMED to use async-profiler");
        }
        String libPath;
        String source;
        Path extracted = null;
        if (userPath != null && !userPath.isEmpty()) {
            File f = new File(userPath);
            if (!f.isFile()) throw new Unavailable("asyncProfilerPath " + userPath + " is not a file");
            libPath = f.getAbsolutePath();
            source = libPath;
            // The JVM itself prints warnings when asked to load a file that is not a shared library.
            if (!isElf(f.toPath())) throw new Unavailable("asyncProfilerPath " + userPath + " is not an ELF shared library");
        } else {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "");
            String platform = platform(os, arch);
            if (platform == null) throw new Unavailable("no bundled library for " + os + "/" + arch + " (set asyncProfilerPath)");
            extracted = extract(platform);
            libPath = extracted.toString();
            source = "bundled " + platform;
        }
        try {
            Object p = c.getMethod("getInstance", String.class).invoke(null, libPath);
            Method execute = c.getMethod("execute", String.class);
            String version = String.valueOf(c.getMethod("getVersion").invoke(p)).trim();
            return new AsyncLibrary(p, execute, version, source);
        } catch (InvocationTargetException e) {
            throw new Unavailable("cannot load " + libPath + ": " + oneLine(e.getCause()));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new Unavailable("cannot load " + libPath + ": " + oneLine(e));
        } finally {
            if (extracted != null) delete(extracted);
        }
    }

    /** Runs one async-profiler command; its own message on failure. */
    String execute(String command) throws Unavailable {
        try {
            Object out = execute.invoke(profiler, command);
            return out == null ? "" : out.toString();
        } catch (InvocationTargetException e) {
            throw new Unavailable(oneLine(e.getCause()));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new Unavailable(oneLine(e));
        }
    }

    /**
     * JDK 24+ (JEP 472) warns on stderr when a module without native access calls System.load, and will
     * refuse it in a later release. We load only where that is allowed: {@code --enable-native-access}
     * covering our (unnamed) module, or {@code --illegal-native-access=allow}.
     */
    static boolean nativeAccessAllowed(Module m) {
        if (Runtime.version().feature() < 24) return true;
        try {
            if ((Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(m)) return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true; // no such check on this JDK
        }
        try {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                    .contains("--illegal-native-access=allow");
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The resource directory of the bundled library for this OS and architecture, or null. */
    static String platform(String os, String arch) {
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) return null;
        switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64": case "x86_64": return "linux-x64";
            case "aarch64": case "arm64": return "linux-arm64";
            default: return null;
        }
    }

    /** The path of a libasyncProfiler mapped into this process, or null (also when maps is unreadable). */
    static String alreadyLoaded(Path maps) {
        try {
            for (String line : Files.readAllLines(maps)) {
                int i = line.indexOf('/');
                if (i >= 0 && line.indexOf("libasyncProfiler", i) >= 0) return line.substring(i).trim();
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or no /proc: nothing to check against.
        }
        return null;
    }

    private static Path extract(String platform) throws Unavailable {
        String resource = RESOURCES + platform + "/libasyncProfiler.so";
        try (InputStream in = AsyncLibrary.class.getResourceAsStream(resource)) {
            if (in == null) throw new Unavailable("bundled library " + resource + " missing from the agent jar");
            Path tmp;
            try {
                tmp = Files.createTempFile("continuo-asyncProfiler-", ".so",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException e) {
                tmp = Files.createTempFile("continuo-asyncProfiler-", ".so");
            }
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new Unavailable("cannot extract " + resource + " to " + System.getProperty("java.io.tmpdir") + ": " + oneLine(e));
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException | RuntimeException ignored) {
            // deleteOnExit is registered as well.
        }
    }

    static String oneLine(Throwable t) {
        if (t == null) return "unknown error";
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.trim());
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Defines {@code one.profiler.*} from our {@code .bin} resources and nothing else; everything else
     * (java.*, javax.management) comes from the platform loader, never from the app's class path.
     */
    private static final class PrivateLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        PrivateLoader() { super("continuo-async-profiler", ClassLoader.getPlatformClassLoader()); }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(CLASS_PREFIX)) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = findClass(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            if (!name.startsWith(CLASS_PREFIX)) throw new ClassNotFoundException(name);
            String resource = RESOURCES + name.replace('.', '/') + ".bin";
            try (InputStream in = AsyncLibrary.class.getResourceAsStream(resource)) {
                if (in == null) throw new ClassNotFoundException(name);
                byte[] b = in.readAllBytes();
                return defineClass(name, b, 0, b.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
