package tech.plumeintel.shuzhi.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.ContextCustomizerFactories;

/**
 * Points the Spring application under test at the shared {@link TestInfrastructure}: its Kafka,
 * Redis and MongoDB connection properties are set before the context starts.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ContextCustomizerFactories(RealInfrastructureCustomizerFactory.class)
public @interface RealInfrastructure {}
