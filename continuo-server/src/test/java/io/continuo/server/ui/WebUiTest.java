package io.continuo.server.ui;

import io.continuo.formats.pprof.PprofWriter;
import io.continuo.model.Labels;
import io.continuo.model.ProfileBuilder;
import io.continuo.model.ProfileType;
import io.continuo.server.TestData;
import io.continuo.server.TestServer;
import io.continuo.server.insights.Scenarios;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The web UI in a real headless Chromium against a real in-process server holding real profiles (the shared Go
 * pprof and JDK JFR files) plus synthetic ones: a function named like an XSS payload, a two-version service for
 * the diff, and a pprof whose samples carry trace ids. Waits are on page state, never on wall-clock timings.
 * Skips (loudly) when Chromium or chromedriver is not installed.
 */
final class WebUiTest {
    static final String XSS = "<img src=x onerror=alert(1)>";
    static final String ODD_FRAME = "std::map<int; long>::find&x=1,2";
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path tmp;
    static TestServer server;
    static ChromeDriver driver;
    static String base;
    static String missing;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = Path.of(System.getProperty("continuo.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("continuo.chromedriver", "/usr/bin/chromedriver"));
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            // Aborting here would report zero tests; each test aborts instead, so every one shows as skipped.
            missing = "chromium not installed: apt-get install chromium chromium-driver (looked for "
                    + chromium + " and " + chromedriver + ")";
            System.err.println("WARNING: WebUiTest skipped: " + missing);
            return;
        }
        server = new TestServer(tmp.resolve("data"));
        base = server.base();
        ingestFixtures();

        // Never let Selenium Manager look for (or download) a driver or browser: both paths are given.
        System.setProperty("webdriver.chrome.driver", chromedriver.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("chrome-profile")), "--window-size=1400,1000",
                "--force-device-scale-factor=1", "--lang=en-US");
        // An alert must stay open so the XSS test can see it, instead of being dismissed by the next command.
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        Files.createDirectories(SCREENSHOTS);
    }

    @BeforeEach
    void needsChromium() {
        if (missing != null) {
            // CI installs Chromium (.ci/run): there a missing browser is a broken build, not a skip
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void noScriptErrors(TestInfo info) {
        if (driver == null) {
            return;
        }
        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            // HTTP errors the UI asked for on purpose are logged by Chrome as "Failed to load resource"; a script
            // error ("Uncaught ...") never is acceptable.
            if (e.getLevel().intValue() >= Level.SEVERE.intValue() && !e.getMessage().contains("Failed to load resource")) {
                errors.add(e.getMessage());
            }
        }
        assertThat(errors).as("browser console errors in %s", info.getDisplayName()).isEmpty();
        assertNoAlert();
    }

    // ---- fixtures -------------------------------------------------------------------------------------

    static void ingestFixtures() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        // nine hours of a three-instance service whose version 2.0 (3 h ago) spends 4x as much in one function
        Scenarios regression = new Scenarios(server, System.currentTimeMillis());
        regression.regression("checkout", 3);
        regression.upload();
        // The Go CPU profile (3.22 s, shopgen) at two versions, 40 and 10 minutes ago.
        byte[] goCpu = TestData.bytes("go119.cpu.pb.gz");
        ingest("service=shopgen&format=pprof&version=1.0&env=prod&from=" + (now - 2400) + "&until=" + (now - 2390), goCpu);
        ingest("service=shopgen&format=pprof&version=1.1&env=prod&from=" + (now - 600) + "&until=" + (now - 590), goCpu);
        ingest("service=jdk-app&format=jfr&version=17&until=" + (now - 300), TestData.bytes("jdk17-profile.jfr"));
        // Runtime metrics next to the profiles, one point a minute over the last 20 minutes.
        StringBuilder points = new StringBuilder("{\"points\":[");
        for (int m = 20; m >= 1; m--) {
            points.append(m == 20 ? "" : ",").append("{\"timestamp\":").append(now - 60L * m)
                    .append(",\"values\":{\"heap_used_after_gc_bytes\":").append(40_000_000 + 1_000_000 * m)
                    .append(",\"process_cpu_ratio\":0.").append(10 + m).append("}}");
        }
        TestServer.Response metrics = server.post("/api/v1/ingest/metrics?service=shopgen&version=1.1",
                points.append("]}").toString().getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
        assertThat(metrics.status()).as("metrics ingest: %s", metrics).isEqualTo(200);
        // A function named like markup: it must render as text everywhere.
        ingest("service=xss&format=collapsed&type=cpu&from=" + (now - 300) + "&until=" + (now - 290),
                ("main;" + XSS + ";leaf 100\nmain;work 50\n").getBytes(StandardCharsets.UTF_8));
        // Two versions where "b" triples: the diff must show it grew.
        ingest("service=diffsvc&format=collapsed&type=cpu&version=1.0&from=" + (now - 1200) + "&until=" + (now - 1190),
                "main;a 100\nmain;b 100\n".getBytes(StandardCharsets.UTF_8));
        ingest("service=diffsvc&format=collapsed&type=cpu&version=1.1&from=" + (now - 600) + "&until=" + (now - 590),
                "main;a 100\nmain;b 300\n".getBytes(StandardCharsets.UTF_8));
        // A function with no self time that sorts first by name (the table's bar scale once came from it).
        ingest("service=sorting&format=collapsed&type=cpu&from=" + (now - 300) + "&until=" + (now - 290),
                "aaa.Outer.run;zzz.Leaf.work 100\naaa.Outer.run;mmm.Mid.call;zzz.Leaf.work 50\naaa.Outer.run;mmm.Mid.call 7\n"
                        .getBytes(StandardCharsets.UTF_8));
        // f grows in time (72 -> 80) while its share falls (72% -> 40%): absolute values must show the growth.
        ingest("service=grow&format=collapsed&type=cpu&version=1.0&from=" + (now - 1200) + "&until=" + (now - 1190),
                "main;f 72\nmain;g 28\n".getBytes(StandardCharsets.UTF_8));
        ingest("service=grow&format=collapsed&type=cpu&version=1.1&from=" + (now - 600) + "&until=" + (now - 590),
                "main;f 80\nmain;g 120\n".getBytes(StandardCharsets.UTF_8));
        // One function's name is a prefix of another's: a row click must light exactly one.
        ingest("service=exact&format=collapsed&type=cpu&from=" + (now - 300) + "&until=" + (now - 290),
                "main;java.lang.Integer 50\nmain;java.lang.Integer.valueOf 30\nmain;shop.Shop$PriceCalculator.computeDiscountedTotal 20\n"
                        .getBytes(StandardCharsets.UTF_8));
        // Lock time and allocation: charted per second in their own units.
        ingest("service=locky&format=collapsed&type=lock_duration&from=" + (now - 300) + "&until=" + (now - 290),
                "main;lock 5000000000\n".getBytes(StandardCharsets.UTF_8));
        ingest("service=locky&format=collapsed&type=alloc_bytes&from=" + (now - 300) + "&until=" + (now - 290),
                "main;alloc 1048576000\n".getBytes(StandardCharsets.UTF_8));
        // A service without cpu, as the Pyroscope Node.js SDK sends by default (wall only here).
        ingest("service=nodeapp&format=collapsed&type=wall&from=" + (now - 300) + "&until=" + (now - 290),
                "main;handler 100\n".getBytes(StandardCharsets.UTF_8));
        // A wide profile: thousands of distinct stacks, so the flame graph has well over 10,000 nodes.
        ingest("service=wide&format=collapsed&type=cpu&from=" + (now - 300) + "&until=" + (now - 290), wideProfile(4000));
        // Samples tagged with trace and span ids, as the OpenTelemetry integration sends them.
        ProfileBuilder b = new ProfileBuilder(List.of(ProfileType.CPU));
        int handler = b.frame("com.shop.Checkout.handle");
        int slow = b.frame("com.shop.Pricing.slowPath");
        int other = b.frame("com.shop.Other.work");
        b.addSample(new int[]{handler, slow}, 2, new long[]{70_000_000},
                Labels.of("trace_id", TRACE_ID, "span_id", "00f067aa0ba902b7", "endpoint", "POST /checkout"));
        b.addSample(new int[]{handler, other}, 2, new long[]{30_000_000},
                Labels.of("trace_id", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "span_id", "1111111111111111", "endpoint", "POST /checkout"));
        b.addSample(new int[]{other}, 1, new long[]{50_000_000}, Labels.EMPTY);
        ingest("service=shop&format=pprof&from=" + (now - 300) + "&until=" + (now - 290), PprofWriter.toBytes(b.build(), true));
        // A frame whose name holds the separators of collapsed text and of the URL's focus path.
        ProfileBuilder odd = new ProfileBuilder(List.of(ProfileType.CPU));
        int main = odd.frame("main");
        int separators = odd.frame(ODD_FRAME);
        odd.addSample(new int[]{main, separators, odd.frame("leaf")}, 3, new long[]{80_000_000}, Labels.EMPTY);
        odd.addSample(new int[]{main, odd.frame("other")}, 2, new long[]{20_000_000}, Labels.EMPTY);
        ingest("service=odd&format=pprof&from=" + (now - 300) + "&until=" + (now - 290), PprofWriter.toBytes(odd.build(), true));
    }

    /** Deterministic collapsed stacks, 6 to 16 frames deep over a few hundred distinct functions. */
    static byte[] wideProfile(int stacks) {
        java.util.Random random = new java.util.Random(42);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stacks; i++) {
            int depth = 6 + random.nextInt(11);
            sb.append("main");
            for (int d = 1; d < depth; d++) {
                sb.append(";com.example.p").append(random.nextInt(6)).append(".C").append(random.nextInt(12))
                        .append(".m").append(random.nextInt(5));
            }
            sb.append(' ').append(1 + random.nextInt(100)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void ingest(String query, byte[] body) {
        TestServer.Response r = server.post("/api/v1/ingest?" + query.replace(" ", "%20"), body);
        assertThat(r.status()).as("ingest %s: %s", query, r).isEqualTo(200);
    }

    // ---- helpers --------------------------------------------------------------------------------------

    static void open(String path) {
        driver.get(base + path);
    }

    /** Waits that look again when a section re-rendered under them (sections redraw as their queries answer). */
    static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    static Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Non-transparent pixels of a canvas, read back with getImageData. */
    static long paintedPixels(WebElement canvas) {
        Object n = js("const c = arguments[0]; if (!c.width || !c.height) return 0;"
                + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;", canvas);
        return ((Number) n).longValue();
    }

    /** Pixels clearly red (growth in a diff flame graph). */
    static long redPixels(WebElement canvas) {
        Object n = js("const c = arguments[0]; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && d[i] > d[i+1] + 40 && d[i] > d[i+2] + 40) n++;"
                + "return n;", canvas);
        return ((Number) n).longValue();
    }

    static WebElement waitForFlame(String hostId) {
        WebElement canvas = waiting().until(d -> d.findElement(By.cssSelector("#" + hostId + " canvas")));
        waiting().withMessage("flame graph in #" + hostId + " drawn").until(d -> paintedPixels(canvas) > 1000);
        // and every panel settled: a chart still loading changes the layout under a click aimed at a frame
        waiting().withMessage("no panel busy").until(d -> d.findElements(By.cssSelector("main [aria-busy='true']")).isEmpty());
        return canvas;
    }

    static void screenshot(String name) {
        try {
            byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
            Files.write(SCREENSHOTS.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertNoAlert() {
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    }

    static String state(String key) {
        return String.valueOf(js("return String(window.continuo.state['" + key + "'] ?? '')"));
    }

    /** Clicks the flame graph at the middle of node i (as laid out by the page's renderer), scrolled into view. */
    static void clickNode(String graph, int node) {
        @SuppressWarnings("unchecked")
        Map<String, Number> at = (Map<String, Number>) js(
                "const g = " + graph + "; const a = g.a; const i = arguments[0];"
                        + "let r = g.canvas.getBoundingClientRect();"
                        + "const rowTop = g.rowY(a.depth[i], g.depthCount);"
                        + "window.scrollBy(0, r.top + rowTop - window.innerHeight / 2);"
                        + "r = g.canvas.getBoundingClientRect();"
                        + "const k = r.width / a.w[g.focus];"
                        + "const x = r.left + (Math.max(a.x[i], a.x[g.focus]) - a.x[g.focus]) * k + Math.min(a.w[i], a.w[g.focus]) * k / 2;"
                        + "return {x: Math.round(x), y: Math.round(r.top + rowTop + 9)};", node);
        new Actions(driver).moveToLocation(at.get("x").intValue(), at.get("y").intValue()).click().perform();
    }

    // ---- tests ----------------------------------------------------------------------------------------

    @Test
    void firstOpenPicksAServiceAndDrawsItsFlameGraph() {
        open("/");
        waiting().withMessage("a service is picked without typing").until(d -> !state("service").isEmpty());
        WebElement canvas = waitForFlame("flame");
        assertThat(paintedPixels(canvas)).isGreaterThan(1000);
        assertThat(driver.getCurrentUrl()).contains("/explore?").contains("service=").contains("type=cpu");
        assertThat(driver.findElement(By.id("service")).getAttribute("value")).isEqualTo(state("service"));
        assertThat(driver.findElements(By.cssSelector("#top-table tbody tr"))).isNotEmpty();
    }

    @Test
    void exploreShowsTrendLabelFiltersAndTopFunctionsOfARealProfile() {
        open("/explore?service=shopgen&type=cpu");
        WebElement canvas = waitForFlame("flame");
        assertThat(paintedPixels(canvas)).isGreaterThan(1000);
        // label filters come from the data
        waiting().until(d -> !d.findElements(By.id("filter-version")).isEmpty());
        List<String> versions = driver.findElements(By.cssSelector("#filter-version option")).stream().map(WebElement::getText).toList();
        assertThat(versions).contains("any", "1.0", "1.1");
        // the trend chart is drawn (uPlot canvas)
        waiting().until(d -> !d.findElements(By.cssSelector("#chart-total canvas")).isEmpty());
        // the Go profile's hottest function leads the self-sorted table
        waiting().until(d -> d.findElement(By.cssSelector("#top-table tbody tr td.fn")).getText().equals("crypto/sha256.block"));
        screenshot("explore");

        // filter by version: the URL carries it and the flame graph halves
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("filter-version"))).selectByValue("1.1");
        waiting().until(d -> d.getCurrentUrl().contains("l.version=1.1"));
        waiting().until(d -> d.findElement(By.id("flame-summary")).getText().contains("3.22 s"));
    }

    @Test
    void runtimeMetricsSplitByVersionAndDraggingSelectsARange() {
        open("/explore?service=shopgen&type=cpu");
        waitForFlame("flame");
        waiting().withMessage("runtime metric charts").until(d ->
                !d.findElements(By.cssSelector("#chart-metrics [data-metric='heap_used_after_gc_bytes'] canvas")).isEmpty()
                        && !d.findElements(By.cssSelector("#chart-metrics [data-metric='process_cpu_ratio'] canvas")).isEmpty());
        // one line per version
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("group-by"))).selectByValue("version");
        waiting().until(d -> d.getCurrentUrl().contains("groupBy=version"));
        waiting().until(d -> d.findElement(By.cssSelector("#chart-total .chart-legend")).getText().contains("version=1.0"));
        assertThat(driver.findElement(By.cssSelector("#chart-total .chart-legend")).getText()).contains("version=1.1");
        screenshot("trends");

        // drag across the right half of the trend: the range becomes absolute and the flame graph re-queries
        WebElement over = driver.findElement(By.cssSelector("#chart-total .u-over"));
        int w = over.getSize().getWidth();
        new Actions(driver).moveToElement(over, w / 8, 0).clickAndHold().moveByOffset(w / 3, 0).release().perform();
        waiting().withMessage("absolute range in the URL after a drag").until(d -> d.getCurrentUrl().matches(".*from=\\d{13}.*until=\\d{13}.*"));
        waitForFlame("flame");
        assertThat(driver.findElement(By.cssSelector("#range-presets button[data-from='now-1h']")).getAttribute("aria-pressed")).isEqualTo("false");
    }

    @Test
    void aFlameGraphOfMoreThanTenThousandNodesDraws() {
        open("/explore?service=wide&type=cpu");
        WebElement canvas = waitForFlame("flame");
        long nodes = ((Number) js("return window.continuo.explore.flame.n")).longValue();
        assertThat(nodes).isGreaterThan(10_000);
        // Reported, not asserted: timings depend on the machine.
        Object ms = js("const g = window.continuo.explore.flame; const t0 = performance.now();"
                + "for (let i = 0; i < 5; i++) g.draw(); return (performance.now() - t0) / 5;");
        System.out.printf("flame graph of %d nodes: %.1f ms per draw%n", nodes, ((Number) ms).doubleValue());
        assertThat(paintedPixels(canvas)).isGreaterThan(10_000);
        // search over all of them
        driver.findElement(By.id("search")).sendKeys("p3.C7");
        waiting().until(d -> d.findElement(By.id("search-result")).getText().startsWith("matched"));
        screenshot("wide");
    }

    @Test
    void clickingANodeZoomsAndTheBreadcrumbFollows() {
        open("/explore?service=shopgen&type=cpu");
        waitForFlame("flame");
        assertThat(driver.findElements(By.cssSelector("#flame .breadcrumb .crumb"))).hasSize(1);
        // the widest child of the root
        int node = ((Number) js("const g = window.continuo.explore.flame; return g.widestChild(0);")).intValue();
        String name = String.valueOf(js("return window.continuo.explore.flame.name(arguments[0])", node));
        clickNode("window.continuo.explore.flame", node);
        waiting().withMessage("breadcrumb after zoom").until(d -> d.findElements(By.cssSelector("#flame .breadcrumb .crumb")).size() == 2);
        assertThat(driver.findElement(By.cssSelector("#flame .breadcrumb .crumb.current")).getText()).isEqualTo(name);
        waiting().until(d -> d.getCurrentUrl().contains("focus="));
        screenshot("zoomed");

        // the zoom is in the URL: back restores the unzoomed view, forward the zoom again
        driver.navigate().back();
        waiting().until(d -> d.findElements(By.cssSelector("#flame .breadcrumb .crumb")).size() == 1);
        driver.navigate().forward();
        waiting().until(d -> d.findElements(By.cssSelector("#flame .breadcrumb .crumb")).size() == 2);

        // keyboard: Escape on the canvas resets; arrow down (icicle: towards the leaves) then Enter zooms
        WebElement canvas = driver.findElement(By.cssSelector("#flame canvas"));
        canvas.sendKeys(Keys.ESCAPE);
        waiting().until(d -> d.findElements(By.cssSelector("#flame .breadcrumb .crumb")).size() == 1);
        canvas.sendKeys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ENTER);
        waiting().until(d -> d.findElements(By.cssSelector("#flame .breadcrumb .crumb")).size() == 3);
    }

    @Test
    void aZoomLinkSurvivesFrameNamesWithSeparators() {
        open("/explore?service=odd&type=cpu");
        waitForFlame("flame");
        int node = ((Number) js("const g = window.continuo.explore.flame; for (let i = 0; i < g.n; i++) if (g.name(i) === 'leaf') return i; return -1;")).intValue();
        assertThat(node).isPositive();
        clickNode("window.continuo.explore.flame", node);
        waiting().until(d -> d.findElements(By.cssSelector("#flame .breadcrumb .crumb")).size() == 4);
        String link = driver.getCurrentUrl();
        // a fresh page load of the link zooms to the same frame, through the frame with ';', '&' and ',' in its name
        driver.get("about:blank");
        driver.get(link);
        waitForFlame("flame");
        waiting().withMessage("zoom restored from " + link)
                .until(d -> d.findElements(By.cssSelector("#flame .breadcrumb .crumb")).size() == 4);
        List<String> crumbs = driver.findElements(By.cssSelector("#flame .breadcrumb .crumb")).stream().map(WebElement::getText).toList();
        assertThat(crumbs).containsSubsequence("main", ODD_FRAME, "leaf");
    }

    @Test
    void searchHighlightsAndShowsTheMatchedPercent() {
        open("/explore?service=shopgen&type=cpu&l.version=1.0");
        waitForFlame("flame");
        WebElement search = driver.findElement(By.id("search"));
        search.sendKeys("sha256");
        waiting().until(d -> d.findElement(By.id("search-result")).getText().startsWith("matched"));
        String result = driver.findElement(By.id("search-result")).getText();
        // crypto/sha256.(*digest).checkSum and its callees are 29.81% of the Go profile (go tool pprof)
        double percent = Double.parseDouble(result.replaceAll("^matched ([0-9.]+)%.*$", "$1"));
        assertThat(percent).isBetween(29.0, 40.0);
        waiting().until(d -> d.getCurrentUrl().contains("q=sha256"));
        screenshot("search");
    }

    @Test
    void functionNamedLikeMarkupRendersAsText() {
        open("/explore?service=xss&type=cpu");
        waitForFlame("flame");
        waiting().until(d -> d.findElements(By.cssSelector("#top-table td.fn")).stream().anyMatch(td -> td.getText().equals(XSS)));
        assertNoAlert();
        assertThat(driver.findElements(By.cssSelector("img[src='x']"))).isEmpty();
        // the tooltip and the breadcrumb carry the name as text too
        int node = ((Number) js("const g = window.continuo.explore.flame; for (let i = 0; i < g.n; i++) if (g.name(i) === arguments[0]) return i; return -1;", XSS)).intValue();
        assertThat(node).isPositive();
        clickNode("window.continuo.explore.flame", node);
        waiting().until(d -> d.findElement(By.cssSelector("#flame .breadcrumb .crumb.current")).getText().equals(XSS));
        WebElement tooltip = driver.findElement(By.id("flame-tooltip"));
        assertThat(tooltip.findElements(By.tagName("img"))).isEmpty();
        // the sandwich view of it
        js("window.continuo.explore.flame.opts.onPick(arguments[0])", XSS);
        waiting().until(d -> d.findElement(By.cssSelector("#sandwich .sandwich-fn")).getText().equals(XSS));
        waitForFlame("sandwich-callers");
        waitForFlame("sandwich-callees");
        assertThat(driver.findElements(By.cssSelector("img[src='x']"))).isEmpty();
        assertNoAlert();
        screenshot("sandwich");
    }

    @Test
    void diffAgainstThePreviousVersionShowsTheGrowth() {
        open("/explore?view=diff&service=diffsvc&type=cpu&cmp=version");
        WebElement canvas = waitForFlame("diff-flame");
        assertThat(redPixels(canvas)).as("growth is red").isGreaterThan(100);
        waiting().until(d -> !d.findElements(By.cssSelector("#diff-changes tbody tr")).isEmpty());
        WebElement first = driver.findElement(By.cssSelector("#diff-changes tbody tr"));
        // b went from 50% to 75% of the profile, a from 50% to 25%: both changed by 25 points
        assertThat(first.findElement(By.cssSelector("td.fn")).getText()).isIn("a", "b");
        assertThat(driver.findElement(By.id("diff-sides")).getText()).contains("version 1.0", "version 1.1");
        List<String> rows = driver.findElements(By.cssSelector("#diff-changes tbody tr")).stream().map(WebElement::getText).toList();
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("b").contains("+25"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("a").contains("-25"));
        screenshot("diff");

        // the same comparison as two custom label sets
        driver.findElement(By.cssSelector("#cmp-presets button[data-cmp='custom']")).click();
        waiting().until(d -> d.findElement(By.id("diff-custom")).isDisplayed());
        driver.findElement(By.id("b-labels")).sendKeys("version=\"1.0\"");
        driver.findElement(By.id("c-labels")).sendKeys("version=\"1.1\"");
        driver.findElement(By.cssSelector("#diff-custom button[type='submit']")).click();
        waiting().until(d -> d.getCurrentUrl().contains("cmp=custom") && d.getCurrentUrl().contains("bLabels="));
        waiting().until(d -> d.findElement(By.id("diff-sides")).getText().contains("version=\"1.1\""));
        waiting().until(d -> d.findElements(By.cssSelector("#diff-changes tbody tr")).stream().map(WebElement::getText)
                .anyMatch(r -> r.startsWith("b") && r.contains("+25")));

        // side by side draws both selections
        driver.findElement(By.cssSelector("#diff-mode button[data-mode='side']")).click();
        waitForFlame("side-left");
        waitForFlame("side-right");
        // zooming one side zooms the other to the same call path
        int b = ((Number) js("const g = window.continuo.diffView.left; for (let i = 0; i < g.n; i++) if (g.name(i) === 'b') return i; return -1;")).intValue();
        assertThat(b).isPositive();
        clickNode("window.continuo.diffView.left", b);
        waiting().withMessage("right side follows the left side's zoom").until(d ->
                "b".equals(js("const g = window.continuo.diffView.right; return g.name(g.focus);")));
        screenshot("side-by-side");
        // the zoom is in the URL: back leaves it, forward returns to it
        waiting().until(d -> d.getCurrentUrl().contains("mode=side") && d.getCurrentUrl().contains("focus="));
        String link = driver.getCurrentUrl();
        driver.navigate().back();
        waiting().withMessage("back leaves the zoom").until(d -> !d.getCurrentUrl().contains("focus=")
                && Long.valueOf(0).equals(js("return window.continuo.diffView.right.focus;")));
        driver.navigate().forward();
        waiting().withMessage("forward zooms again").until(d ->
                "b".equals(js("const g = window.continuo.diffView.right; return g.name(g.focus);")));
        // and the link opens both sides on the same frame for someone else
        driver.navigate().to("about:blank");
        driver.navigate().to(link);
        waitForFlame("side-left");
        waitForFlame("side-right");
        waiting().withMessage("both sides open zoomed from the link").until(d ->
                "b".equals(js("const g = window.continuo.diffView.left; return g && g.n ? g.name(g.focus) : null;"))
                        && "b".equals(js("const g = window.continuo.diffView.right; return g && g.n ? g.name(g.focus) : null;")));
    }

    @Test
    void aServerWithAnApiKeyAsksForItOnceAndEveryRequestCarriesIt() {
        io.continuo.server.ServerConfig config = io.continuo.server.ServerConfig.defaults().withDataDir(tmp.resolve("keyed"))
                .withSelfProfile(false).withApiKeys(Map.of("s3cret-key", ""));
        try (TestServer keyed = new TestServer(config)) {
            long now = System.currentTimeMillis() / 1000;
            TestServer.Response in = keyed.post("/api/v1/ingest?service=locked&format=collapsed&type=cpu&from=" + (now - 60)
                    + "&until=" + now, "main;guarded 100\n".getBytes(StandardCharsets.UTF_8), Map.of("Authorization", "Bearer s3cret-key"));
            assertThat(in.status()).as(in.toString()).isEqualTo(200);
            driver.get(keyed.base() + "/explore?service=locked&type=cpu&from=now-1h");
            WebElement dialog = driver.findElement(By.id("signin"));
            waiting().withMessage("the sign-in dialog opens on the first 401").until(d -> dialog.isDisplayed());
            screenshot("sign-in");
            // a wrong key is refused, and the dialog says so
            driver.findElement(By.id("signin-key")).sendKeys("wrong", Keys.ENTER);
            waiting().withMessage("a refused key reopens the dialog with the server's reason").until(d -> dialog.isDisplayed()
                    && d.findElement(By.id("signin-message")).getText().contains("invalid API key"));
            driver.findElement(By.id("signin-key")).sendKeys("s3cret-key", Keys.ENTER);
            waitForFlame("flame");
            assertThat(dialog.isDisplayed()).isFalse();
            assertThat(driver.findElement(By.id("banner")).isDisplayed()).as("the 401 banner is gone").isFalse();
            assertThat((Boolean) js("const g = window.continuo.explore.flame; for (let i = 0; i < g.n; i++) if (g.name(i) === 'guarded') return true; return false;"))
                    .isTrue();
            // downloads carry the key too
            Object size = ((JavascriptExecutor) driver).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                            + "import('/js/api.js').then((m) => m.getBlob(document.getElementById('export-collapsed').href))"
                            + ".then((b) => b.text()).then(done, (e) => done('error: ' + e.message));");
            assertThat(String.valueOf(size)).contains("main;guarded 100");
            // a reload keeps the key; signing out forgets it
            driver.navigate().refresh();
            waitForFlame("flame");
            driver.findElement(By.id("sign-out")).click();
            waiting().withMessage("signed out: the dialog asks again").until(d -> d.findElement(By.id("signin")).isDisplayed());
            ((JavascriptExecutor) driver).executeScript("localStorage.clear()");
        }
    }

    @Test
    void insightsPageListsTheRegressionAndLinksToItsDiff() {
        open("/explore?view=insights&from=now-12h");
        By regression = By.cssSelector("li.insight[data-kind='regression']");
        waiting().withMessage("the regression is listed").until(d -> !d.findElements(regression).isEmpty());
        WebElement item = driver.findElement(regression);
        assertThat(item.getText()).contains("checkout", "com.checkout.pricing.Pricing.applyDiscounts");
        assertThat(item.findElement(By.cssSelector("ol.culprits li")).getText()).startsWith("com.checkout.pricing.Pricing.applyDiscounts");
        item.findElement(By.linkText("Open the comparison")).click();
        waiting().until(d -> d.getCurrentUrl().contains("view=diff") && d.getCurrentUrl().contains("service=checkout"));
        WebElement canvas = waitForFlame("diff-flame");
        assertThat(redPixels(canvas)).as("the grown function is red").isGreaterThan(100);
        waiting().withMessage("the culprit leads the changes").until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#diff-changes tbody tr"));
            return !rows.isEmpty() && rows.get(0).getText().startsWith("com.checkout.pricing.Pricing.applyDiscounts");
        });
        screenshot("insight-diff");
    }

    @Test
    void insightsPageSilencesAFiringAlertAndExpiresTheSilence() {
        String rule = "{\"id\":\"ui-cpu\",\"condition\":\"total\",\"type\":\"cpu\",\"threshold\":1,\"window\":\"1h\","
                + "\"for\":\"0s\",\"matchers\":\"{service=\\\"shopgen\\\"}\"}";
        TestServer.Response created = server.post("/api/v1/alerts/rules", rule.getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        try {
            server.server().insights().runOnce("default", found -> { });
            open("/explore?view=insights&from=now-6h");
            By row = By.cssSelector("table.alerts tr[data-rule='ui-cpu']");
            // Each read and click looks the row up again: the insights sections redraw as their queries answer.
            String listed = waiting().withMessage("the firing alert is listed").until(d -> d.findElement(row).getText());
            assertThat(listed).startsWith("firing").contains("service=shopgen");
            waiting().withMessage("silence clicked").until(d -> {
                d.findElement(row).findElement(By.cssSelector("button.silence")).click();
                return true;
            });
            waiting().withMessage("the alert shows as silenced").until(d -> d.findElement(row).getText().startsWith("firing (silenced)"));
            String silence = waiting().withMessage("the silence is listed")
                    .until(d -> d.findElement(By.cssSelector("table.silences tbody tr")).getText());
            assertThat(silence).contains("alertname=\"ui-cpu\"", "service=\"shopgen\"", "silenced from the UI");
            assertThat(server.get("/api/v1/alerts").json().path("alerts").get(0).path("silenced").asBoolean()).isTrue();
            screenshot("insights");
            waiting().withMessage("expire clicked").until(d -> {
                d.findElement(By.cssSelector("table.silences button.expire")).click();
                return true;
            });
            waiting().withMessage("expired: no silences, the alert is live again").until(d ->
                    d.findElements(By.cssSelector("table.silences")).isEmpty() && d.findElement(row).getText().startsWith("firing ")
                            && !d.findElement(row).getText().contains("(silenced)"));
            assertThat(server.get("/api/v1/alerts/silences").json().path("silences")).isEmpty();
        } finally {
            deleteRule("ui-cpu");
        }
    }

    static void deleteRule(String id) {
        try {
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/api/v1/alerts/rules/" + id)).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void autoRefreshPicksUpNewProfiles() {
        long now = System.currentTimeMillis() / 1000;
        ingest("service=refreshing&format=collapsed&type=cpu&from=" + (now - 120) + "&until=" + (now - 110),
                "main;a 100\n".getBytes(StandardCharsets.UTF_8));
        open("/explore?service=refreshing&type=cpu&from=now-15m&refresh=10s");
        waitForFlame("flame");
        double before = ((Number) js("return window.continuo.explore.flame.a.total[0];")).doubleValue();
        assertThat(driver.findElement(By.id("refresh")).getAttribute("value")).isEqualTo("10s");
        // a profile arrives after the page loaded; no click, no reload: the next 10 s refresh shows it
        ingest("service=refreshing&format=collapsed&type=cpu&from=" + (now - 5) + "&until=" + now,
                "main;b 300\n".getBytes(StandardCharsets.UTF_8));
        new WebDriverWait(driver, Duration.ofSeconds(30)).withMessage("flame graph total after auto-refresh")
                .until(d -> ((Number) js("return window.continuo.explore.flame.a.total[0];")).doubleValue() > before);
        assertThat((Boolean) js("const g = window.continuo.explore.flame; for (let i = 0; i < g.n; i++) if (g.name(i) === 'b') return true; return false;"))
                .isTrue();
    }

    @Test
    void diffAgainstAnHourAgoRendersWithAnEmptyBaseline() {
        open("/explore?view=diff&service=shopgen&type=cpu&from=now-15m&cmp=1h");
        waitForFlame("diff-flame");
        waiting().until(d -> d.findElement(By.id("diff-state")).getText().contains("baseline has no profiles"));
    }

    @Test
    void traceViewShowsWhatTheTraceWasDoing() {
        open("/trace/" + TRACE_ID);
        WebElement canvas = waitForFlame("trace-flame");
        assertThat(paintedPixels(canvas)).isGreaterThan(1000);
        String summary = driver.findElement(By.id("trace-summary")).getText();
        assertThat(summary).contains("70 ms").contains("POST /checkout");
        assertThat(driver.findElements(By.cssSelector("#trace-spans tbody tr"))).isNotEmpty();
        waiting().until(d -> d.findElements(By.cssSelector("#trace-top-table td.fn")).stream()
                .anyMatch(td -> td.getText().equals("com.shop.Pricing.slowPath")));
        assertThat(driver.findElements(By.cssSelector("#trace-top-table td.fn")).stream().map(WebElement::getText))
                .doesNotContain("com.shop.Other.work");
        screenshot("trace");
    }

    @Test
    void anEndpointsFlameGraphListsItsTracesAndLinksToThem() {
        open("/explore?service=shop&type=cpu&l.endpoint=" + "POST%20%2Fcheckout");
        waitForFlame("flame");
        driver.findElement(By.cssSelector("#traces-details summary")).click();
        WebElement link = waiting().ignoring(StaleElementReferenceException.class).until(d -> d.findElements(By.cssSelector("#traces a.trace-link")).stream()
                .filter(a -> a.getText().equals(TRACE_ID)).findFirst().orElse(null));
        assertThat(link.getAttribute("href")).endsWith("/trace/" + TRACE_ID);
        link.click();
        waiting().until(d -> d.getCurrentUrl().contains("/trace/" + TRACE_ID));
        waitForFlame("trace-flame");
        // and back to the endpoint
        driver.navigate().back();
        waiting().until(d -> d.getCurrentUrl().contains("l.endpoint="));
        waitForFlame("flame");
    }

    @Test
    void unknownTraceShowsAnEmptyState() {
        open("/trace/ffffffffffffffffffffffffffffffff");
        waiting().until(d -> d.findElement(By.id("trace-state")).getText().contains("No profile samples for this trace"));
        // the input box opens another trace
        WebElement input = driver.findElement(By.id("trace-input"));
        input.clear();
        input.sendKeys(TRACE_ID, Keys.ENTER);
        waiting().until(d -> d.getCurrentUrl().endsWith("/trace/" + TRACE_ID));
        waitForFlame("trace-flame");
    }

    @Test
    void rejectedQueriesShowAnErrorState() {
        open("/explore?service=shopgen&type=cpu&until=not-a-time");
        waiting().until(d -> {
            String banner = d.findElement(By.id("banner")).getText();
            String state = d.findElement(By.id("flame-state")).getText();
            return !banner.isEmpty() || state.contains("rejected");
        });
        driver.manage().logs().get(LogType.BROWSER); // drop the expected 400s
    }

    @Test
    void anUnreachableServerATooLargeQueryAndNoDataEachSayWhatHappened() {
        open("/explore?service=shopgen&type=cpu");
        waitForFlame("flame");
        // the page's own fetch fails as it does when the server is down
        js("window.__fetch = window.fetch; window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));");
        driver.findElement(By.cssSelector("#range-presets button[data-from='now-24h']")).click();
        waiting().until(d -> d.findElement(By.id("banner")).getText().contains("unreachable"));
        screenshot("unreachable");

        // a limit answer (413) on the flame graph query
        js("window.fetch = (u, o) => String(u).startsWith('/api/v1/query/flamegraph')"
                + " ? Promise.resolve(new Response(JSON.stringify({error: 'too many stacks in range (limit 1000000)', status: 413}), {status: 413}))"
                + " : window.__fetch(u, o);");
        driver.findElement(By.cssSelector("#range-presets button[data-from='now-1h']")).click();
        waiting().until(d -> d.findElement(By.id("flame-state")).getText().contains("Query too large"));
        assertThat(driver.findElement(By.id("flame-state")).getText()).contains("too many stacks in range").contains("Narrow the time range");
        assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();

        // a link to a service with no data in the range
        open("/explore?service=nothing-here&type=cpu");
        waiting().until(d -> d.findElement(By.id("flame-state")).getText().contains("No profiles for this selection"));
        assertThat(driver.findElement(By.id("flame-state")).getText()).contains("curl -X POST");
        driver.manage().logs().get(LogType.BROWSER); // drop the expected failed loads
    }

    @Test
    void themeToggleAndRangePresetsLiveInThePage() {
        open("/explore?service=jdk-app&type=cpu");
        waitForFlame("flame");
        driver.findElement(By.id("theme-toggle")).click();
        String theme = String.valueOf(js("return document.documentElement.dataset.theme"));
        assertThat(theme).isIn("dark", "light");
        if (!theme.equals("dark")) {
            driver.findElement(By.id("theme-toggle")).click();
        }
        assertThat(js("return document.documentElement.dataset.theme")).isEqualTo("dark");
        waitForFlame("flame");
        screenshot("dark");
        driver.findElement(By.id("theme-toggle")).click();

        driver.findElement(By.cssSelector("#range-presets button[data-from='now-24h']")).click();
        waiting().until(d -> d.getCurrentUrl().contains("from=now-24h"));
        driver.findElement(By.cssSelector("#range-presets button[data-from='now-15m']")).click();
        waiting().until(d -> d.getCurrentUrl().contains("from=now-15m"));
        driver.navigate().back();
        waiting().until(d -> d.getCurrentUrl().contains("from=now-24h"));
        assertThat(driver.findElement(By.cssSelector("#range-presets button[data-from='now-24h']")).getAttribute("aria-pressed")).isEqualTo("true");
        // the allocation profile of the JFR recording is another type of the same service
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("type"))).selectByValue("alloc_bytes");
        waiting().until(d -> d.getCurrentUrl().contains("type=alloc_bytes"));
        waitForFlame("flame");
        waiting().until(d -> d.findElement(By.id("flame-summary")).getText().contains("B"));
    }

    @Test
    void exportLinksPointAtTheApi() throws Exception {
        open("/explore?service=shopgen&type=cpu");
        waitForFlame("flame");
        String collapsed = driver.findElement(By.id("export-collapsed")).getAttribute("href");
        assertThat(collapsed).contains("/api/v1/query/flamegraph?").contains("format=collapsed");
        TestServer.Response r = server.get(collapsed.substring(base.length()));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("crypto/sha256.block");
        assertThat(driver.findElement(By.id("export-pprof")).getAttribute("href")).contains("format=pprof");
        Object png = ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "window.continuo.explore.flame.toBlob().then(b => done(b ? b.type + ':' + b.size : 'none'));");
        assertThat(String.valueOf(png)).startsWith("image/png:");
    }

    // ---- issue 13: interactions, honest states, readability, big data ---------------------------------

    /** Drags across the total chart from fraction a to fraction b of its width. */
    static void dragTrend(double a, double b) {
        WebElement over = driver.findElement(By.cssSelector("#chart-total .u-over"));
        int w = over.getSize().getWidth();
        new Actions(driver).moveToElement(over, (int) (w * a) - w / 2, 0).clickAndHold()
                .moveByOffset((int) (w * (b - a)), 0).release().perform();
    }

    @Test
    void draggingAcrossSyncedChartsReloadsTheData() {
        open("/explore?service=shopgen&type=cpu");
        waitForFlame("flame");
        // the total chart and two runtime-metric charts, all cursor-synced: each reports the drag selection
        waiting().withMessage("runtime metric charts").until(d ->
                d.findElements(By.cssSelector("#chart-metrics .chart canvas")).size() >= 2
                        && !d.findElements(By.cssSelector("#chart-total canvas")).isEmpty());
        waiting().until(d -> d.findElement(By.id("flame-summary")).getText().contains("6.44 s"));
        // 48 to 30 minutes ago: version 1.0's profile (40 minutes ago) only
        dragTrend(0.2, 0.5);
        waiting().withMessage("absolute range in the URL after a drag").until(d -> d.getCurrentUrl().matches(".*from=\\d{13}.*until=\\d{13}.*"));
        waiting().withMessage("the flame graph shows the dragged range, not the old one").until(d ->
                d.findElement(By.id("flame-summary")).getText().contains("3.22 s")
                        && !d.findElement(By.id("flame-summary")).getText().contains("Last hour"));
        assertThat(((Number) js("return window.continuo.explore.flame.a.total[0]")).longValue()).isEqualTo(3_220_000_000L);
        waiting().withMessage("the table follows").until(d ->
                d.findElements(By.cssSelector("#top-table tbody tr")).size() > 0);
    }

    /** Clicks every header of a table twice; after each click the rows must be in the order aria-sort says. */
    static void sortEveryColumn(String tableSelector) {
        int columns = driver.findElements(By.cssSelector(tableSelector + " thead th button")).size();
        assertThat(columns).as("sortable columns of %s", tableSelector).isGreaterThanOrEqualTo(3);
        for (int c = 0; c < columns; c++) {
            for (int click = 0; click < 2; click++) {
                WebElement button = driver.findElements(By.cssSelector(tableSelector + " thead th button")).get(c);
                String label = button.getText();
                assertThat(button.isDisplayed()).as("header %s visible", label).isTrue();
                button.click();
                int col = c;
                waiting().withMessage("aria-sort on " + label).ignoring(StaleElementReferenceException.class).until(d ->
                        d.findElements(By.cssSelector(tableSelector + " thead th")).get(col).getAttribute("aria-sort") != null);
                String check = (String) js("const t = document.querySelector(arguments[0]); const col = arguments[1];"
                        + "const th = t.querySelectorAll('thead th')[col]; const dir = th.getAttribute('aria-sort') === 'ascending' ? 1 : -1;"
                        + "const rows = [...t.querySelectorAll('tbody tr')];"
                        + "for (const b of t.querySelectorAll('.bar')) if (b.offsetWidth > 40) return 'bar ' + b.offsetWidth + ' px wide';"
                        + "const host = t.parentElement.getBoundingClientRect();"
                        + "for (const h of t.querySelectorAll('thead th')) { const r = h.getBoundingClientRect();"
                        + "  if (r.right > host.right + 1 || r.left < host.left - 1) return 'header ' + h.textContent + ' off the table host'; }"
                        + "for (const td of t.querySelectorAll('td.fn')) if (td.offsetWidth < 60) return 'name squeezed to ' + td.offsetWidth + ' px';"
                        + "const val = (r) => { const td = r.cells[col]; if (col === 0) return td.textContent;"
                        + "  const v = td.dataset.v; return v === 'Infinity' ? Infinity : Number(v); };"
                        + "for (let i = 1; i < rows.length; i++) { const a = val(rows[i - 1]); const b = val(rows[i]);"
                        + "  const c = col === 0 ? a.localeCompare(b) : (a === b ? 0 : a > b ? 1 : -1);"
                        + "  if (dir * c > 0) return 'rows ' + (i - 1) + ' and ' + i + ' out of order: ' + a + ' / ' + b; }"
                        + "return 'ok';", tableSelector, c);
                assertThat(check).as("%s sorted by %s (click %d)", tableSelector, label, click + 1).isEqualTo("ok");
            }
        }
    }

    @Test
    void everyColumnOfEveryTableSortsAndStaysUsable() {
        open("/explore?service=sorting&type=cpu");
        waitForFlame("flame");
        waiting().until(d -> !d.findElements(By.cssSelector("#top-table tbody tr")).isEmpty());
        sortEveryColumn("#top-table");
        // by name ascending the first row has 0 self: bars keep the table's scale
        driver.findElement(By.cssSelector("#top-table thead th:first-child button")).click();
        waiting().until(d -> "ascending".equals(d.findElement(By.cssSelector("#top-table thead th:first-child")).getAttribute("aria-sort")));
        assertThat(driver.findElement(By.cssSelector("#top-table tbody tr td.fn")).getText()).isEqualTo("aaa.Outer.run");
        sortEveryColumn("#top-table");

        open("/explore?view=diff&service=grow&type=cpu&cmp=version");
        waitForFlame("diff-flame");
        waiting().until(d -> !d.findElements(By.cssSelector("#diff-changes tbody tr")).isEmpty());
        sortEveryColumn("#diff-changes table");
        driver.findElement(By.cssSelector("#diff-changes button[data-values='normalised']")).click();
        sortEveryColumn("#diff-changes table");

        open("/trace/" + TRACE_ID);
        waitForFlame("trace-flame");
        sortEveryColumn("#trace-top-table");
    }

    @Test
    void compareOpensOnThePreviousVersionAndShowsAbsoluteChanges() {
        open("/explore?view=diff&service=grow&type=cpu&from=now-1h");
        waitForFlame("diff-flame");
        waiting().until(d -> d.findElement(By.id("diff-sides")).getText().contains("version 1.0"));
        assertThat(driver.findElement(By.id("diff-sides")).getText()).contains("version 1.1");
        assertThat(driver.findElement(By.cssSelector("#cmp-presets button[data-cmp='version']")).getAttribute("aria-pressed")).isEqualTo("true");
        assertThat(driver.findElement(By.id("diff-state")).getText()).doesNotContain("empty");
        By f = By.cssSelector("#diff-changes tr[data-fn='f']");
        waiting().until(d -> !d.findElements(f).isEmpty());
        // f: 72 -> 80, a growth: red (up) and "+" in absolute values, though its share fell from 72% to 40%
        WebElement delta = driver.findElement(f).findElement(By.cssSelector("td[data-col='delta']"));
        assertThat(delta.getAttribute("class")).isEqualTo("up");
        assertThat(delta.getText()).startsWith("+");
        assertThat(driver.findElement(f).findElement(By.cssSelector("td[data-col='ratio']")).getText()).isEqualTo("×1.11");
        assertThat(driver.findElement(f).findElement(By.cssSelector("td[data-col='share']")).getText()).startsWith("-32");
        // signed sort: largest growth first, then largest shrink first
        driver.findElement(By.cssSelector("#diff-changes th button[data-sort='delta']")).click();
        List<String> asc = driver.findElements(By.cssSelector("#diff-changes tbody td.fn")).stream().map(WebElement::getText).toList();
        driver.findElement(By.cssSelector("#diff-changes th button[data-sort='delta']")).click();
        List<String> desc = driver.findElements(By.cssSelector("#diff-changes tbody td.fn")).stream().map(WebElement::getText).toList();
        assertThat(desc.get(0)).isEqualTo("g");
        assertThat(asc.get(asc.size() - 1)).isEqualTo("g");
        // normalised to the baseline's total, f shrank
        driver.findElement(By.cssSelector("#diff-changes button[data-values='normalised']")).click();
        waiting().until(d -> "down".equals(d.findElement(f).findElement(By.cssSelector("td[data-col='delta']")).getAttribute("class")));
        screenshot("diff-changes");
    }

    @Test
    void lockTimeAndAllocationAreChartedPerSecondInTheirUnits() {
        open("/explore?service=locky&type=lock_duration&from=now-15m");
        waitForFlame("flame");
        waiting().until(d -> d.findElement(By.cssSelector("#chart-total .chart-title")).getText().equals("lock_duration (seconds per second)"));
        assertThat(String.valueOf(js("return window.continuo.explore.totalChart.opts.fmt(0.5)"))).isEqualTo("0.5 s/s");
        assertThat(driver.findElement(By.cssSelector("#chart-total")).getText()).doesNotContain("cores");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("type"))).selectByValue("alloc_bytes");
        waiting().until(d -> d.findElement(By.cssSelector("#chart-total .chart-title")).getText().equals("alloc_bytes (bytes per second)"));
        assertThat(String.valueOf(js("return window.continuo.explore.totalChart.opts.fmt(2048)"))).isEqualTo("2 KiB/s");
    }

    @Test
    void anEmptyRangeOfAKnownServiceSaysSoInsteadOfOnboarding() {
        open("/explore?service=diffsvc&type=cpu&from=now-5m");
        waiting().until(d -> d.findElement(By.id("flame-state")).getText().contains("No data in this range"));
        assertThat(driver.findElement(By.id("flame-state")).getText()).doesNotContain("curl").contains("diffsvc");
        driver.findElement(By.cssSelector("#flame-state button.retry")).click();
        waiting().until(d -> d.getCurrentUrl().contains("from=now-24h"));
        waitForFlame("flame");
    }

    @Test
    void aTableRowHighlightsExactlyItsFunctionAndLabelsKeepTheMethod() {
        open("/explore?service=exact&type=cpu");
        waitForFlame("flame");
        WebElement row = waiting().until(d -> d.findElements(By.cssSelector("#top-table tbody tr")).stream()
                .filter(r -> "java.lang.Integer".equals(r.getAttribute("data-fn"))).findFirst().orElse(null));
        row.findElement(By.cssSelector("td.fn")).click();
        waiting().until(d -> d.findElement(By.id("search-result")).getText().startsWith("matched 50"));
        Object lit = js("const g = window.continuo.explore.flame; const out = [];"
                + "for (let i = 1; i < g.n; i++) if (g.match[i] & 1) out.push(g.name(i)); return out.join('|');");
        assertThat(lit).isEqualTo("java.lang.Integer");
        assertThat(driver.findElements(By.cssSelector("#top-table tbody tr.active"))).hasSize(1);
        // the second click clears the highlight
        driver.findElement(By.cssSelector("#top-table tbody tr.active td.fn")).click();
        waiting().until(d -> d.findElement(By.id("search-result")).getText().isEmpty());
        // labels are cut in the middle and keep Class.method
        Object cut = ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/js/util.js').then((m) => done([m.middleTruncate('shop.Shop$PriceCalculator.computeDiscountedTotal', 40),"
                + " m.middleTruncate('shop.Shop$PriceCalculator.computeDiscountedTotal', 12), m.middleTruncate('main', 10)].join('|')));");
        assertThat(String.valueOf(cut)).isEqualTo("…$PriceCalculator.computeDiscountedTotal|computeDisc…|main");
    }

    /** Text elements whose contrast with their (nearest opaque) background is below 4.5:1, as "selector: ratio". */
    static List<String> lowContrast(String... selectors) {
        @SuppressWarnings("unchecked")
        List<String> bad = (List<String>) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; const sels = arguments[0];"
                        + "import('/js/util.js').then((m) => { const out = [];"
                        + "const bg = (e) => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;"
                        + "  if (c && c !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(c)) return c; }"
                        + "  return getComputedStyle(document.body).backgroundColor; };"
                        + "for (const sel of sels) { const els = [...document.querySelectorAll(sel)].filter((e) => e.offsetParent !== null && e.textContent.trim());"
                        + "  if (!els.length) { out.push(sel + ': nothing visible to check'); continue; }"
                        + "  for (const e of els.slice(0, 20)) { const r = m.contrast(m.rgbOf(getComputedStyle(e).color), m.rgbOf(bg(e)));"
                        + "    if (r < 4.5) out.push(sel + ' \"' + e.textContent.trim().slice(0, 30) + '\": ' + r.toFixed(2)); } }"
                        + "done(out); });", List.of(selectors));
        return bad;
    }

    static void setTheme(String theme) {
        js("document.documentElement.dataset.theme = arguments[0]; window.continuo.explore.flame.draw();", theme);
    }

    @Test
    void textMeetsWcagAaContrastInBothThemes() {
        for (String theme : List.of("light", "dark")) {
            open("/explore?service=grow&type=cpu&from=now-1h");
            waitForFlame("flame");
            setTheme(theme);
            assertThat(lowContrast(".views a[aria-current='page']", "#range-presets button[aria-pressed='true']",
                    "#panel-tabs button[aria-pressed='true']", ".control > label", "#flame-summary", "#top-table td",
                    "#top-table th button", ".footer .hint", ".range-summary"))
                    .as("explore in the %s theme", theme).isEmpty();
            // every label the flame graph draws, on every fill it draws (search on: matches and dimmed frames)
            driver.findElement(By.id("search")).sendKeys("f");
            waiting().until(d -> d.findElement(By.id("search-result")).getText().startsWith("matched"));
            Object worst = js("const g = window.continuo.explore.flame; const m = window.continuo.util;"
                    + "const dim = getComputedStyle(document.documentElement).getPropertyValue('--flame-dim').trim();"
                    + "const fills = [dim, '#e040fb']; for (let i = 0; i < g.n; i++) { fills.push(g.color(i)); fills.push(g.fadedFill(g.color(i))); }"
                    + "for (const mode of ['name', 'package']) { g.colorMode = mode; for (let h = 0; h < 500; h++) fills.push(g.colorFor('p' + h + '.C' + h * 7919 + '.m')); }"
                    + "g.colorMode = 'package';"
                    + "let min = 99; for (const f of fills) min = Math.min(min, m.contrast(m.rgbOf(g.labelColor(f)), m.rgbOf(f))); return min;");
            assertThat(((Number) worst).doubleValue()).as("the lowest label contrast in the %s theme", theme).isGreaterThanOrEqualTo(4.5);

            for (String palette : List.of("rg", "cb")) {
                open("/explore?view=diff&service=grow&type=cpu&cmp=version&palette=" + palette);
                waitForFlame("diff-flame");
                waiting().until(d -> !d.findElements(By.cssSelector("#diff-changes td.up")).isEmpty()
                        && !d.findElements(By.cssSelector("#diff-changes td.down")).isEmpty());
                setTheme(theme);
                assertThat(lowContrast("#diff-changes td.up", "#diff-changes td.down", "#cmp-presets button[aria-pressed='true']",
                        ".diff-legend span", "#diff-sides .side"))
                        .as("compare in the %s theme, palette %s", theme, palette).isEmpty();
            }
        }
        js("delete document.documentElement.dataset.theme");
    }

    @Test
    void theColourBlindSafePaletteAndTheClassicPaletteKeepTheirPromises() {
        open("/explore?view=diff&service=diffsvc&type=cpu&cmp=version");
        WebElement canvas = waitForFlame("diff-flame");
        assertThat(redPixels(canvas)).as("red/green by default").isGreaterThan(100);
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("diff-palette"))).selectByValue("cb");
        waiting().until(d -> d.getCurrentUrl().contains("palette=cb"));
        // orange for growth, blue for shrink: no green anywhere
        waiting().withMessage("blue shrink").until(d -> ((Number) js("const c = arguments[0]; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && d[i+2] > d[i] + 40) n++; return n;", canvas)).longValue() > 100);
        long green = ((Number) js("const c = arguments[0]; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i+3] > 0 && d[i+1] > d[i] + 40 && d[i+1] > d[i+2] + 40) n++; return n;", canvas)).longValue();
        assertThat(green).as("green pixels in the colour-blind palette").isZero();
        assertThat(driver.findElement(By.cssSelector("html")).getAttribute("class")).contains("palette-cb");

        // the classic palette: lightness 58-72% for every name (a signed shift put half of them below)
        open("/explore?service=wide&type=cpu&color=name");
        waitForFlame("flame");
        Object range = js("const g = window.continuo.explore.flame; let lo = 100, hi = 0;"
                + "for (let h = 0; h < 3000; h++) { const c = g.colorFor('com.example.F' + h + '.run');"
                + "  const l = Number(/, ([0-9.]+)%\\)$/.exec(c)[1]); lo = Math.min(lo, l); hi = Math.max(hi, l); } return [lo, hi];");
        assertThat(range.toString()).isEqualTo("[58, 71]");
    }

    @Test
    void aServiceWithoutCpuOpensOnATypeItHas() {
        open("/explore?service=nodeapp");
        waiting().withMessage("the type the service has").until(d -> d.getCurrentUrl().contains("type=wall"));
        waitForFlame("flame");
        open("/explore?service=nodeapp&type=cpu");
        waiting().withMessage("a link naming a type the service lacks opens on one it has").until(d -> d.getCurrentUrl().contains("type=wall"));
        waitForFlame("flame");
        assertThat(new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("type"))).getFirstSelectedOption().getText()).isEqualTo("wall");
    }

    @Test
    void theCompactPayloadDrawsAHundredThousandNodesCorrectly() {
        ingest("service=huge&format=collapsed&type=cpu&from=" + (System.currentTimeMillis() / 1000 - 300)
                + "&until=" + (System.currentTimeMillis() / 1000 - 290), hugeProfile());
        String q = "/api/v1/query/flamegraph?type=cpu&query=%7Bservice%3D%22huge%22%7D&from=now-1h&until=now&maxNodes=100000";
        TestServer.Response json = server.get(q);
        TestServer.Response compact = server.get(q + "&format=flamebearer");
        assertThat(compact.status()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode a = json.json();
        com.fasterxml.jackson.databind.JsonNode b = compact.json();
        assertThat(b.path("format").asText()).isEqualTo("flamebearer");
        // below maxNodes, so nothing is pruned and both answers hold the same tree (pruning picks among ties)
        assertThat(b.path("numNodes").asInt()).isEqualTo(a.path("numNodes").asInt()).isBetween(90_000, 99_999);
        // same nodes, x as the gap after the previous node of the level, values in units of valueUnit
        long unit = b.path("valueUnit").asLong();
        assertThat(unit).as("values sampled every 10 ms share that period").isGreaterThanOrEqualTo(10_000_000L);
        for (int d = 0; d < a.path("levels").size(); d++) {
            com.fasterxml.jackson.databind.JsonNode la = a.path("levels").get(d);
            com.fasterxml.jackson.databind.JsonNode lb = b.path("levels").get(d);
            assertThat(lb.size()).isEqualTo(la.size());
            long end = 0;
            for (int j = 0; j < la.size(); j += 4) {
                long x = end + lb.get(j).asLong() * unit;
                assertThat(x).as("x of node %d at depth %d", j / 4, d).isEqualTo(la.get(j).asLong());
                assertThat(lb.get(j + 1).asLong() * unit).isEqualTo(la.get(j + 1).asLong());
                assertThat(lb.get(j + 2).asLong() * unit).isEqualTo(la.get(j + 2).asLong());
                assertThat(b.path("names").get(lb.get(j + 3).asInt())).isEqualTo(a.path("names").get(la.get(j + 3).asInt()));
                end = x + la.get(j + 1).asLong();
            }
        }
        System.out.printf("large flame graph: %d nodes, %d bytes as json, %d bytes as flamebearer (valueUnit %d)%n",
                b.path("numNodes").asInt(), json.body().length, compact.body().length, unit);

        // the page draws all of it from the compact form, the same as from the original
        open("/explore?service=huge&type=cpu");
        waitForFlame("flame");
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript(
                "const done = arguments[arguments.length - 1]; const url = arguments[0];"
                        + "const g = window.continuo.explore.flame; const out = {};"
                        + "const run = async (fmt) => { const tf = performance.now(); const res = await fetch(url + (fmt ? '&format=' + fmt : ''));"
                        + "  const text = await res.text(); const t0 = performance.now(); const body = JSON.parse(text); const t1 = performance.now();"
                        + "  g.setData(body); const t2 = performance.now();"
                        + "  return { fetch: t0 - tf, parse: t1 - t0, draw: t2 - t1, n: g.n, total: g.a.total[0], a: { ...g.a, fn: Array.from(g.a.name, (k) => g.names[k]) } }; };"
                        + "const same = (p, q) => { for (const k of ['x', 'w', 'total', 'self', 'fn', 'parent', 'depth']) for (let i = 0; i < p[k].length; i++)"
                        + "  if (p[k][i] !== q[k][i]) return k + '[' + i + ']: ' + p[k][i] + ' vs ' + q[k][i]; return 'same'; };"
                        + "run('flamebearer').then(() => run('')).then((j) => run('flamebearer').then((c) => {"
                        + "  const diff = same(j.a, c.a); delete j.a; delete c.a; done({ json: j, compact: c, diff }); }), (e) => done({ error: String(e) }));",
                base + q);
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) r.get("json");
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) r.get("compact");
        assertThat(r).doesNotContainKey("error");
        assertThat(((Number) c.get("n")).intValue()).isEqualTo(b.path("numNodes").asInt());
        assertThat(c.get("total")).isEqualTo(j.get("total"));
        assertThat(r.get("diff")).as("every node's position, size, name and parent decoded from the compact form").isEqualTo("same");
        assertThat(paintedPixels(driver.findElement(By.cssSelector("#flame canvas")))).isGreaterThan(10_000);
        // Reported, not asserted: timings depend on the machine (docs/ui.md keeps the measured numbers).
        System.out.printf("%d-node flame graph in the page: json fetch %.0f ms, parse %.0f ms + unpack/draw %.0f ms;"
                        + " flamebearer fetch %.0f ms, parse %.0f ms + unpack/draw %.0f ms%n", b.path("numNodes").asInt(),
                ((Number) j.get("fetch")).doubleValue(), ((Number) j.get("parse")).doubleValue(), ((Number) j.get("draw")).doubleValue(),
                ((Number) c.get("fetch")).doubleValue(), ((Number) c.get("parse")).doubleValue(), ((Number) c.get("draw")).doubleValue());
    }

    /** Just under 100,000 distinct call-tree nodes: 10,000 stacks of 8 to 14 frames, CPU time in 10 ms samples. */
    static byte[] hugeProfile() {
        java.util.Random random = new java.util.Random(7);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            int depth = 8 + random.nextInt(7);
            sb.append("main;com.example.Entry.p").append(random.nextInt(40));
            for (int d = 2; d < depth; d++) {
                sb.append(";com.example.p").append(random.nextInt(30)).append(".C").append(random.nextInt(40))
                        .append(".m").append(random.nextInt(8));
            }
            sb.append(' ').append((1 + random.nextInt(1000)) * 10_000_000L).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void insightsFollowTheServiceAndTypeSelection() {
        open("/explore?view=insights&from=now-12h&service=shopgen&type=cpu");
        waiting().withMessage("insights loaded").until(d -> d.findElements(By.cssSelector("[aria-busy='true']")).isEmpty()
                && !d.findElements(By.cssSelector("section.insights-list")).isEmpty());
        assertThat(driver.findElements(By.cssSelector("li.insight[data-kind='regression']"))).as("checkout's regression is not shopgen's").isEmpty();
        assertThat(driver.findElement(By.cssSelector(".insights-scope")).getText()).contains("shopgen", "cpu");
        long t0 = System.nanoTime();
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("service"))).selectByValue("checkout");
        waiting().withMessage("checkout's regression").until(d -> d.getCurrentUrl().contains("service=checkout")
                && !d.findElements(By.cssSelector("li.insight[data-kind='regression']")).isEmpty());
        waiting().until(d -> d.findElements(By.cssSelector("[aria-busy='true']")).isEmpty());
        System.out.printf("insights page settled %d ms after the service changed; %s%n", (System.nanoTime() - t0) / 1_000_000,
                js("return performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/') && e.name.includes('checkout'))"
                        + ".map((e) => e.name.replace(/^.*\\/api\\/v1\\//, '').replace(/\\?.*$/, '') + ' ' + Math.round(e.duration) + ' ms').join(', ')"));
        assertThat(driver.findElement(By.cssSelector("li.insight[data-kind='regression']")).getText()).contains("checkout");
        // all services again
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("service"))).selectByValue("");
        waiting().until(d -> !d.getCurrentUrl().contains("service="));
        waiting().until(d -> !d.findElements(By.cssSelector("li.insight[data-kind='regression']")).isEmpty());
    }
}
