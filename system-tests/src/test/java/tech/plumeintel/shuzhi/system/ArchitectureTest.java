package tech.plumeintel.shuzhi.system;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package rules, over the main classes of every module this one sees (the three services,
 * {@code common}, {@code platform}, {@code test-support}): here rather than once per module, since
 * only here are the services side by side, and one rule set has one owner.
 */
@AnalyzeClasses(
    packages = "tech.plumeintel.shuzhi",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String ROOT = "tech.plumeintel.shuzhi";

  @ArchTest
  static final ArchRule noPackageCycles =
      slices()
          .matching(ROOT + ".(**)")
          .namingSlices("package $1")
          .should()
          .beFreeOfCycles()
          .because("a package imports only what sits beside or below it, never back");

  @ArchTest static final ArchRule apiFeaturesFreeOfCycles = featuresFreeOfCycles("api");

  @ArchTest static final ArchRule fetchFeaturesFreeOfCycles = featuresFreeOfCycles("fetch");

  @ArchTest static final ArchRule chatFeaturesFreeOfCycles = featuresFreeOfCycles("chat");

  @ArchTest
  static final ArchRule commonHoldsContractsOnly =
      noClasses()
          .that()
          .resideInAPackage(ROOT + ".common..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ROOT + ".api..",
              ROOT + ".fetch..",
              ROOT + ".chat..",
              ROOT + ".platform..",
              ROOT + ".testsupport..",
              "org.springframework..")
          .because("common is what the services say to each other, nothing that runs");

  @ArchTest
  static final ArchRule platformServesEveryServiceAlike =
      noClasses()
          .that()
          .resideInAPackage(ROOT + ".platform..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(ROOT + ".api..", ROOT + ".fetch..", ROOT + ".chat..");

  @ArchTest static final ArchRule apiKeepsToItself = serviceKeepsToItself("api", "fetch", "chat");

  @ArchTest
  static final ArchRule fetchWorkerKeepsToItself = serviceKeepsToItself("fetch", "api", "chat");

  @ArchTest
  static final ArchRule chatWorkerKeepsToItself = serviceKeepsToItself("chat", "api", "fetch");

  @ArchTest
  static final ArchRule testSupportOnlyInTests =
      noClasses()
          .that()
          .resideOutsideOfPackage(ROOT + ".testsupport..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(ROOT + ".testsupport..")
          .because("test-support starts brokers and stand-ins; no service ships it");

  @ArchTest static final ArchRule apiFeaturesBelowTheApplication = belowTheApplication("api");

  @ArchTest static final ArchRule fetchFeaturesBelowTheApplication = belowTheApplication("fetch");

  @ArchTest static final ArchRule chatFeaturesBelowTheApplication = belowTheApplication("chat");

  private static ArchRule featuresFreeOfCycles(String service) {
    return slices().matching(ROOT + "." + service + ".(*)..").should().beFreeOfCycles();
  }

  private static ArchRule serviceKeepsToItself(String service, String... others) {
    var packages = new String[others.length];
    for (int i = 0; i < others.length; i++) {
      packages[i] = ROOT + "." + others[i] + "..";
    }
    return noClasses()
        .that()
        .resideInAPackage(ROOT + "." + service + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(packages)
        .because("services share only common's contracts and platform's plumbing");
  }

  /** The root package holds the application and its configuration, which nothing imports. */
  private static ArchRule belowTheApplication(String service) {
    return noClasses()
        .that()
        .resideInAPackage(ROOT + "." + service + ".*..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(ROOT + "." + service);
  }
}
