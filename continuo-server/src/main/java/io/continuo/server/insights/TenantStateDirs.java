package io.continuo.server.insights;

import io.continuo.server.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where each tenant's alerting state lives. The default tenant's files sit in the data directory as before; every
 * other tenant gets {@code tenants/<sha-256 of its name>/}, named by hash so that no tenant name (".." included)
 * can point outside it, with a {@code tenant} file holding the name so a restart finds it again.
 */
final class TenantStateDirs {
    private static final Logger LOG = LoggerFactory.getLogger(TenantStateDirs.class);
    private static final String TENANTS_DIR = "tenants";
    private static final String NAME_FILE = "tenant";

    private TenantStateDirs() {
    }

    /** The tenant's rules file beside {@code defaultStateFile}, or null when state is not kept. */
    static Path stateFile(Path defaultStateFile, String tenant) {
        if (defaultStateFile == null || ServerConfig.DEFAULT_TENANT.equals(tenant)) {
            return defaultStateFile;
        }
        Path dir = defaultStateFile.toAbsolutePath().resolveSibling(TENANTS_DIR).resolve(hash(tenant));
        try {
            Files.createDirectories(dir);
            Path name = dir.resolve(NAME_FILE);
            if (!Files.exists(name)) {
                Files.writeString(name, tenant);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the alerting state directory " + dir, e);
        }
        return dir.resolve(defaultStateFile.getFileName());
    }

    /** Tenants other than the default one that kept alerting state. */
    static List<String> tenantsWithState(Path defaultStateFile) {
        List<String> out = new ArrayList<>();
        if (defaultStateFile == null) {
            return out;
        }
        Path root = defaultStateFile.toAbsolutePath().resolveSibling(TENANTS_DIR);
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                Path name = dir.resolve(NAME_FILE);
                if (Files.isRegularFile(name)) {
                    String tenant = Files.readString(name).strip();
                    if (!tenant.isEmpty() && dir.getFileName().toString().equals(hash(tenant))) {
                        out.add(tenant);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list tenants' alerting state in {}: {}", root, e.getMessage());
        }
        return out;
    }

    private static String hash(String tenant) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(tenant.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
